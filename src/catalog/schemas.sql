-- Schemas (namespaces) in scope, with owner and comment.
-- $1 text[]: the schemas to read, or NULL for every non-system schema. By hand in psql:
--   PREPARE q(text[]) AS <this query>; EXECUTE q(NULL);
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT n.oid,
       n.nspname::text AS name,
       pg_get_userbyid(n.nspowner)::text AS owner,
       d.description AS comment
FROM ns n
LEFT JOIN pg_description d
       ON d.objoid = n.oid AND d.classoid = 'pg_namespace'::regclass AND d.objsubid = 0
