-- Sequences in scope, except those behind identity columns (part of the column) and those that
-- belong to an extension. OWNED BY comes from the automatic dependency a serial column creates.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT c.oid,
       c.relnamespace AS schema_oid,
       c.relname::text AS name,
       pg_get_userbyid(c.relowner)::text AS owner,
       d.description AS comment,
       format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       (SELECT o.refobjid::regclass::text || '.'
               || quote_ident((SELECT a.attname FROM pg_attribute a
                               WHERE a.attrelid = o.refobjid AND a.attnum = o.refobjsubid))
        FROM pg_depend o
        WHERE o.classid = 'pg_class'::regclass AND o.objid = c.oid AND o.deptype = 'a'
          AND o.refclassid = 'pg_class'::regclass AND o.refobjsubid > 0) AS owned_by
FROM pg_class c
JOIN ns ON ns.oid = c.relnamespace
JOIN pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_description d
       ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind = 'S'
  AND c.relpersistence <> 't'
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype IN ('e', 'i'))
