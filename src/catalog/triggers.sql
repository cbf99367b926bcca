-- User triggers on the tables and views in scope. Internal triggers (foreign key enforcement)
-- and the clones a trigger on a partitioned table leaves on each partition (tgparentid; internal
-- before PostgreSQL 15) are left out.
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
SELECT t.oid,
       t.tgrelid AS table_oid,
       t.tgname::text AS name,
       pg_get_triggerdef(t.oid) AS definition,
       t.tgenabled AS enabled,
       d.description AS comment
FROM rel
JOIN pg_trigger t ON t.tgrelid = rel.oid
LEFT JOIN pg_description d
       ON d.objoid = t.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0
WHERE NOT t.tgisinternal AND t.tgparentid = 0
