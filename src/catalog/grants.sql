-- Effective privileges on the schemas, tables, views, sequences, functions and types in scope,
-- and column privileges of tables. A NULL ACL stands for the owner's default privileges
-- (acldefault); a NULL column ACL for none. Privileges held by the owner are left out: they
-- follow from ownership. The reader attaches rows to the objects the other queries read and
-- drops the rest, so the filters here only save work.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), acl AS (
    SELECT 'schema' AS kind, n.oid, NULL::text AS column_name, n.nspowner AS owner,
           coalesce(n.nspacl, acldefault('n', n.nspowner)) AS acl
    FROM ns n
    UNION ALL
    SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'relation' END, c.oid, NULL, c.relowner,
           coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char",
                                         c.relowner))
    FROM pg_class c
    JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relpersistence <> 't'
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
                            AND e.refclassid = 'pg_extension'::regclass)
    UNION ALL
    SELECT 'column', c.oid, a.attname::text, c.relowner, a.attacl
    FROM pg_class c
    JOIN ns ON ns.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid
    WHERE c.relkind IN ('r', 'p', 'v', 'm') AND c.relpersistence <> 't'
      AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
    UNION ALL
    SELECT 'function', p.oid, NULL, p.proowner, coalesce(p.proacl, acldefault('f', p.proowner))
    FROM pg_proc p
    JOIN ns ON ns.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
    UNION ALL
    SELECT 'type', t.oid, NULL, t.typowner, coalesce(t.typacl, acldefault('T', t.typowner))
    FROM pg_type t
    JOIN ns ON ns.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'c')
      AND (t.typtype <> 'c' OR t.typrelid IN (SELECT c.oid FROM pg_class c WHERE c.relkind = 'c'))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e'
                            AND e.refclassid = 'pg_extension'::regclass)
)
SELECT acl.kind,
       acl.oid,
       acl.column_name,
       CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END AS grantee,
       x.privilege_type AS privilege,
       x.is_grantable AS grantable
FROM acl, aclexplode(acl.acl) x
WHERE x.grantee <> acl.owner
