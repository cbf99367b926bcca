-- Access methods made by CREATE ACCESS METHOD (not by an extension): type and handler.
-- Database-wide: not in a schema. Access methods have no owner.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: access methods
-- are not in a schema).
SELECT 'access_method' AS kind,
       'pg_am'::regclass::oid AS classid,
       a.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       a.amname::text AS name,
       format('CREATE ACCESS METHOD %I TYPE %s HANDLER %s;', a.amname,
              CASE a.amtype WHEN 't' THEN 'TABLE' WHEN 'i' THEN 'INDEX' ELSE a.amtype::text END,
              a.amhandler::regproc) AS definition,
       format('ACCESS METHOD %I', a.amname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       NULL::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = a.oid AND d.classoid = 'pg_am'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_am a
WHERE a.oid >= 16384 AND coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_am'::regclass AND e.objid = a.oid AND e.deptype = 'e')
