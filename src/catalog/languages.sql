-- Procedural languages made by CREATE LANGUAGE (not by an extension, as plpgsql is): trusted
-- or not, handler, inline handler and validator; owner and privileges (a NULL ACL stands for
-- the owner's default, acldefault; privileges held by the owner are left out, as in
-- grants.sql). Database-wide: not in a schema.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: languages are
-- not in a schema).
SELECT 'language' AS kind,
       'pg_language'::regclass::oid AS classid,
       l.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       l.lanname::text AS name,
       format('CREATE %sLANGUAGE %I HANDLER %s%s%s;', CASE WHEN l.lanpltrusted THEN 'TRUSTED ' ELSE '' END,
              l.lanname, l.lanplcallfoid::regproc,
              ' INLINE ' || nullif(l.laninline, 0)::regproc::text,
              ' VALIDATOR ' || nullif(l.lanvalidator, 0)::regproc::text) AS definition,
       format('LANGUAGE %I', l.lanname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(l.lanowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = l.oid AND d.classoid = 'pg_language'::regclass AND d.objsubid = 0) AS comment,
       g.grantees, g.privileges, g.grantable
FROM pg_language l
CROSS JOIN LATERAL (
    SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) AS grantees,
           array_agg(x.privilege_type::text) AS privileges,
           array_agg(x.is_grantable) AS grantable
    FROM aclexplode(coalesce(l.lanacl, acldefault('l', l.lanowner))) x
    WHERE x.grantee <> l.lanowner
) g
WHERE l.oid >= 16384 AND l.lanispl AND coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_language'::regclass AND e.objid = l.oid AND e.deptype = 'e')
