-- The members of installed extensions whose privileges were changed after the extension made
-- them: their ACL differs from the one in pg_init_privs (or, without one there, from the
-- kind's default). pg_dump prints GRANT and REVOKE for those, relative to pg_init_privs.
-- Languages, and functions, procedures and aggregates. Privileges held by the owner are left
-- out, as in grants.sql; a NULL ACL stands for the owner's default (acldefault).
-- $1 text[]: the schemas to read, or NULL for every schema (the extensions are those of
-- extensions.sql).
SELECT e.refobjid AS extension_oid, m.kind, m.schema, m.name, m.argument_types, m.target,
       c.grantees, c.privileges, c.grantable,
       i.grantees AS initial_grantees, i.privileges AS initial_privileges,
       i.grantable AS initial_grantable
FROM pg_depend e
CROSS JOIN LATERAL (
    SELECT 'language' AS kind, NULL::text AS schema, l.lanname::text AS name,
           NULL::text AS argument_types, format('LANGUAGE %I', l.lanname) AS target,
           coalesce(l.lanacl, acldefault('l', l.lanowner)) AS acl,
           acldefault('l', l.lanowner) AS default_acl, l.lanowner AS owner
    FROM pg_language l
    WHERE e.classid = 'pg_language'::regclass AND l.oid = e.objid
    UNION ALL
    SELECT p.prokind::text, n.nspname::text, p.proname::text, oidvectortypes(p.proargtypes),
           format('%s %I.%I(%s)', CASE WHEN p.prokind = 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
                  n.nspname, p.proname, oidvectortypes(p.proargtypes)),
           coalesce(p.proacl, acldefault('f', p.proowner)), acldefault('f', p.proowner), p.proowner
    FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE e.classid = 'pg_proc'::regclass AND p.oid = e.objid
) m
CROSS JOIN LATERAL (
    SELECT coalesce((SELECT ip.initprivs FROM pg_init_privs ip
                     WHERE ip.objoid = e.objid AND ip.classoid = e.classid AND ip.objsubid = 0),
                    m.default_acl) AS acl
) init
CROSS JOIN LATERAL (
    SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) AS grantees,
           array_agg(x.privilege_type::text) AS privileges,
           array_agg(x.is_grantable) AS grantable
    FROM aclexplode(m.acl) x
    WHERE x.grantee <> m.owner
) c
CROSS JOIN LATERAL (
    SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) AS grantees,
           array_agg(x.privilege_type::text) AS privileges,
           array_agg(x.is_grantable) AS grantable
    FROM aclexplode(init.acl) x
    WHERE x.grantee <> m.owner
) i
WHERE e.deptype = 'e' AND e.refclassid = 'pg_extension'::regclass
  AND e.classid IN ('pg_language'::regclass, 'pg_proc'::regclass)
  AND NOT (m.acl @> init.acl AND init.acl @> m.acl)
  AND coalesce(cardinality($1::text[]), 0) >= 0
