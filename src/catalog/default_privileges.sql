-- Default privileges (ALTER DEFAULT PRIVILEGES), effective like grants: one object per role,
-- schema (or none), kind of object and grantee. An entry of no schema replaces the built-in
-- defaults (acldefault: the owner's privileges, and PUBLIC's on functions and types), so only
-- grantees whose privileges differ from those are objects, a grantee of the defaults that lost
-- all of them included; an entry of a schema adds to them, so each of its grantees is one.
-- The definition gives the grantee exactly its privileges (REVOKE ALL first for a grantee of
-- the defaults); the drop takes them back (and gives a grantee of the defaults those again).
-- Privileges are listed in the order of their bits (as aclexplode gives them), ALL when they
-- are every privilege the kind of object has.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), entry AS (
    SELECT d.oid, d.defaclrole, d.defaclacl, ns.nspname,
           CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS'
                                WHEN 'T' THEN 'TYPES' WHEN 'n' THEN 'SCHEMAS' WHEN 'L' THEN 'LARGE OBJECTS' END AS words,
           -- acldefault's letter for the kind of object.
           CASE d.defaclobjtype WHEN 'S' THEN 's' ELSE d.defaclobjtype END AS letter,
           format('ALTER DEFAULT PRIVILEGES FOR ROLE %I', pg_get_userbyid(d.defaclrole))
               || coalesce(' IN SCHEMA ' || quote_ident(ns.nspname), '') AS prefix
    FROM pg_default_acl d
    LEFT JOIN ns ON ns.oid = d.defaclnamespace
    WHERE (d.defaclnamespace = 0 OR ns.oid IS NOT NULL)
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_default_acl'::regclass AND e.objid = d.oid AND e.deptype = 'e')
), item AS (
    SELECT entry.oid, a.grantee, a.privilege_type, a.is_grantable, false AS builtin
    FROM entry, aclexplode(entry.defaclacl) a
    UNION ALL
    SELECT entry.oid, a.grantee, a.privilege_type, false, true
    FROM entry, aclexplode(acldefault(entry.letter::"char", entry.defaclrole)) a
    WHERE entry.nspname IS NULL
), held AS (
    SELECT i.oid, i.grantee,
           coalesce(array_agg(i.privilege_type ORDER BY i.privilege_type) FILTER (WHERE NOT i.builtin AND NOT i.is_grantable), '{}') AS plain,
           coalesce(array_agg(i.privilege_type ORDER BY i.privilege_type) FILTER (WHERE NOT i.builtin AND i.is_grantable), '{}') AS granting,
           coalesce(array_agg(i.privilege_type ORDER BY i.privilege_type) FILTER (WHERE i.builtin), '{}') AS builtin
    FROM item i
    GROUP BY i.oid, i.grantee
), grantee AS (
    SELECT entry.*, h.plain, h.granting, h.builtin,
           CASE WHEN h.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(h.grantee)) END AS role,
           -- Every privilege of the kind of object: the owner's by default.
           (SELECT array_agg(a.privilege_type) FROM aclexplode(acldefault(entry.letter::"char", entry.defaclrole)) a
            WHERE a.grantee = entry.defaclrole) AS every
    FROM held h
    JOIN entry ON entry.oid = h.oid
    WHERE h.granting <> '{}' OR h.plain <> h.builtin
), listed AS (
    -- The privileges as GRANT lists them, in the order of their bits.
    SELECT g.*,
           CASE WHEN g.plain @> g.every THEN 'ALL'
                ELSE (SELECT string_agg(p, ', ' ORDER BY array_position(o.bits, p)) FROM unnest(g.plain) p) END AS plain_text,
           CASE WHEN g.granting @> g.every THEN 'ALL'
                ELSE (SELECT string_agg(p, ', ' ORDER BY array_position(o.bits, p)) FROM unnest(g.granting) p) END AS granting_text,
           CASE WHEN g.builtin @> g.every THEN 'ALL'
                ELSE (SELECT string_agg(p, ', ' ORDER BY array_position(o.bits, p)) FROM unnest(g.builtin) p) END AS builtin_text
    FROM grantee g,
         (SELECT ARRAY['INSERT', 'SELECT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER',
                       'EXECUTE', 'USAGE', 'CREATE', 'MAINTAIN'] AS bits) o
)
SELECT 'default_privilege' AS kind,
       'pg_default_acl'::regclass::oid AS classid,
       g.oid,
       g.nspname::text AS schema,
       NULL::text AS parent,
       format('FOR ROLE %I ON %s TO %s', pg_get_userbyid(g.defaclrole), g.words, g.role) AS name,
       concat_ws(E'\n',
           CASE WHEN g.builtin <> '{}' THEN format('%s REVOKE ALL ON %s FROM %s;', g.prefix, g.words, g.role) END,
           CASE WHEN g.plain <> '{}' THEN format('%s GRANT %s ON %s TO %s;', g.prefix, g.plain_text, g.words, g.role) END,
           CASE WHEN g.granting <> '{}'
                THEN format('%s GRANT %s ON %s TO %s WITH GRANT OPTION;', g.prefix, g.granting_text, g.words, g.role) END)
           AS definition,
       format('DEFAULT PRIVILEGES FOR ROLE %I', pg_get_userbyid(g.defaclrole))
           || coalesce(' IN SCHEMA ' || quote_ident(g.nspname), '') || format(' ON %s TO %s', g.words, g.role) AS target,
       concat_ws(E'\n',
           format('%s REVOKE ALL ON %s FROM %s;', g.prefix, g.words, g.role),
           CASE WHEN g.builtin <> '{}' THEN format('%s GRANT %s ON %s TO %s;', g.prefix, g.builtin_text, g.words, g.role) END)
           AS drop,
       NULL::text AS unplannable,
       NULL::text AS owner,
       NULL::text AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM listed g
