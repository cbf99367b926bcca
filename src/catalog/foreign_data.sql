-- Foreign-data wrappers, foreign servers and user mappings: database-wide, not in a schema.
-- Wrappers (CREATE FOREIGN DATA WRAPPER: handler, validator, options) and servers (CREATE
-- SERVER: type, version, wrapper, options) are printed as pg_dump prints them, options in the
-- order stored; their options are compared and shown, so they should hold no secrets. User
-- mappings are read by role and server ONLY, from the pg_user_mappings view without its
-- umoptions column: their options hold passwords and are never read, so the plan cannot make
-- a user mapping (it is created by hand, with its options). Wrappers of extensions
-- (postgres_fdw, file_fdw) stay the extension's.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: none of these
-- is in a schema).
SELECT 'foreign_data_wrapper' AS kind,
       'pg_foreign_data_wrapper'::regclass::oid AS classid,
       w.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       w.fdwname::text AS name,
       format('CREATE FOREIGN DATA WRAPPER %I', w.fdwname)
           || CASE WHEN w.fdwhandler <> 0 THEN ' HANDLER ' || w.fdwhandler::regproc::text ELSE '' END
           || CASE WHEN w.fdwvalidator <> 0 THEN ' VALIDATOR ' || w.fdwvalidator::regproc::text ELSE '' END
           || coalesce(' OPTIONS (' || E'\n    '
                       || (SELECT string_agg(quote_ident(o.option_name) || ' ' || quote_literal(o.option_value),
                                             E',\n    ' ORDER BY o.i)
                           FROM pg_options_to_table(w.fdwoptions) WITH ORDINALITY AS o (option_name, option_value, i))
                       || E'\n)', '')
           || ';' AS definition,
       format('FOREIGN DATA WRAPPER %I', w.fdwname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(w.fdwowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = w.oid AND d.classoid = 'pg_foreign_data_wrapper'::regclass AND d.objsubid = 0) AS comment,
       g.grantees, g.privileges, g.grantable
FROM pg_foreign_data_wrapper w
CROSS JOIN LATERAL (
    SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) AS grantees,
           array_agg(x.privilege_type) AS privileges,
           array_agg(x.is_grantable) AS grantable
    FROM aclexplode(coalesce(w.fdwacl, acldefault('F', w.fdwowner))) x
    WHERE x.grantee <> w.fdwowner
) g
WHERE w.oid >= 16384 AND coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_foreign_data_wrapper'::regclass AND e.objid = w.oid AND e.deptype = 'e')
UNION ALL
SELECT 'foreign_server',
       'pg_foreign_server'::regclass::oid,
       s.oid,
       NULL::text,
       NULL::text,
       s.srvname::text,
       format('CREATE SERVER %I', s.srvname)
           || coalesce(' TYPE ' || quote_literal(s.srvtype), '')
           || coalesce(' VERSION ' || quote_literal(s.srvversion), '')
           || ' FOREIGN DATA WRAPPER '
           || (SELECT quote_ident(w.fdwname) FROM pg_foreign_data_wrapper w WHERE w.oid = s.srvfdw)
           || coalesce(' OPTIONS (' || E'\n    '
                       || (SELECT string_agg(quote_ident(o.option_name) || ' ' || quote_literal(o.option_value),
                                             E',\n    ' ORDER BY o.i)
                           FROM pg_options_to_table(s.srvoptions) WITH ORDINALITY AS o (option_name, option_value, i))
                       || E'\n)', '')
           || ';',
       format('SERVER %I', s.srvname),
       NULL::text,
       NULL::text,
       pg_get_userbyid(s.srvowner)::text,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = s.oid AND d.classoid = 'pg_foreign_server'::regclass AND d.objsubid = 0),
       g.grantees, g.privileges, g.grantable
FROM pg_foreign_server s
CROSS JOIN LATERAL (
    SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) AS grantees,
           array_agg(x.privilege_type) AS privileges,
           array_agg(x.is_grantable) AS grantable
    FROM aclexplode(coalesce(s.srvacl, acldefault('S', s.srvowner))) x
    WHERE x.grantee <> s.srvowner
) g
WHERE s.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_foreign_server'::regclass AND e.objid = s.oid AND e.deptype = 'e')
UNION ALL
-- Only umid, srvid, srvname, umuser and usename: never umoptions. A mapping FOR PUBLIC has
-- umuser 0 and usename 'public' (no role can have that name).
SELECT 'user_mapping',
       'pg_user_mapping'::regclass::oid,
       u.umid,
       NULL::text,
       u.srvname::text,
       u.usename::text,
       format('CREATE USER MAPPING FOR %s SERVER %I;',
              CASE WHEN u.umuser = 0 THEN 'public' ELSE quote_ident(u.usename) END, u.srvname),
       format('USER MAPPING FOR %s SERVER %I',
              CASE WHEN u.umuser = 0 THEN 'public' ELSE quote_ident(u.usename) END, u.srvname),
       NULL::text,
       'its options hold passwords and are never read, so the plan cannot make it: create it by hand, with its options',
       NULL::text,
       NULL::text,
       NULL::text[], NULL::text[], NULL::bool[]
FROM (SELECT m.umid, m.srvid, m.srvname, m.umuser, m.usename FROM pg_catalog.pg_user_mappings m) u
WHERE u.umid >= 16384
