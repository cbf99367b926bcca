-- Indexes of the tables and materialized views in scope, except those that back a primary key,
-- unique or exclusion constraint (compared as constraints).
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), rel AS (
    SELECT c.oid, c.relkind
    FROM pg_class c
    JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm')
      AND c.relpersistence <> 't'
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
                            AND e.refclassid = 'pg_extension'::regclass)
)
SELECT i.indexrelid AS oid,
       i.indrelid AS table_oid,
       ic.relname::text AS name,
       pg_get_indexdef(i.indexrelid) AS definition,
       d.description AS comment,
       CASE WHEN ic.reltablespace <> 0
            THEN (SELECT ts.spcname::text FROM pg_tablespace ts WHERE ts.oid = ic.reltablespace)
       END AS tablespace,
       -- Left by a failed CREATE INDEX CONCURRENTLY (or one still running). An index of a
       -- partitioned table is invalid until every partition's index is attached: that shows in
       -- the partitions' indexes, not here.
       NOT (i.indisvalid AND i.indisready) AND rel.relkind <> 'p' AS invalid,
       -- Statistics targets set on expression columns (-1 before PostgreSQL 17, NULL since,
       -- for none).
       ARRAY(SELECT a.attnum || '=' || a.attstattarget FROM pg_attribute a
             WHERE a.attrelid = i.indexrelid AND a.attstattarget >= 0 ORDER BY a.attnum) AS statistics
FROM rel
JOIN pg_index i ON i.indrelid = rel.oid
JOIN pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_description d
       ON d.objoid = i.indexrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE NOT EXISTS (SELECT FROM pg_constraint k
                  WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid
                    AND k.contype IN ('p', 'u', 'x'))
