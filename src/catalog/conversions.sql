-- Conversions made by CREATE CONVERSION: encodings, function and whether it is the default for
-- its pair of encodings.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT 'conversion' AS kind,
       'pg_conversion'::regclass::oid AS classid,
       c.oid,
       ns.nspname::text AS schema,
       NULL::text AS parent,
       c.conname::text AS name,
       format('CREATE %sCONVERSION %I.%I FOR %L TO %L FROM %s;',
              CASE WHEN c.condefault THEN 'DEFAULT ' ELSE '' END, ns.nspname, c.conname,
              pg_encoding_to_char(c.conforencoding), pg_encoding_to_char(c.contoencoding),
              c.conproc::regproc) AS definition,
       format('CONVERSION %I.%I', ns.nspname, c.conname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(c.conowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = c.oid AND d.classoid = 'pg_conversion'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_conversion c
JOIN ns ON ns.oid = c.connamespace
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_conversion'::regclass AND e.objid = c.oid AND e.deptype = 'e')
