-- Transforms made by CREATE TRANSFORM (not by an extension, as hstore_plperl's): type,
-- language and the FROM SQL and TO SQL functions. Database-wide: not in a schema (the type
-- and the functions carry their schemas), named `FOR type LANGUAGE language`. Transforms have
-- no owner.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: transforms are
-- not in a schema).
SELECT 'transform' AS kind,
       'pg_transform'::regclass::oid AS classid,
       t.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       x.name,
       format('CREATE TRANSFORM %s (%s);', x.name, concat_ws(', ',
              'FROM SQL WITH FUNCTION ' || nullif(t.trffromsql, 0)::regprocedure::text,
              'TO SQL WITH FUNCTION ' || nullif(t.trftosql, 0)::regprocedure::text)) AS definition,
       'TRANSFORM ' || x.name AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       NULL::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = t.oid AND d.classoid = 'pg_transform'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_transform t
CROSS JOIN LATERAL (
    SELECT format('FOR %s LANGUAGE %I', format_type(t.trftype, NULL),
                  (SELECT l.lanname FROM pg_language l WHERE l.oid = t.trflang)) AS name
) x
WHERE t.oid >= 16384 AND coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_transform'::regclass AND e.objid = t.oid AND e.deptype = 'e')
