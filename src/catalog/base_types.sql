-- Base types made by CREATE TYPE with input and output functions, and shell types (CREATE TYPE
-- name, not yet defined), printed as pg_dump prints them; not the array types that come with a
-- base type (pg_dump's test: the element type's array type is this one). Enums, domains,
-- composite and range types are read by types.sql. A base type cannot be made from its
-- statement alone: its functions need the (shell) type and the type needs its functions, and
-- dropping it needs CASCADE for the same reason; the plan leaves both to a person.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT 'base_type' AS kind,
       'pg_type'::regclass::oid AS classid,
       t.oid,
       ns.nspname::text AS schema,
       NULL::text AS parent,
       t.typname::text AS name,
       CASE WHEN NOT t.typisdefined THEN format('CREATE TYPE %I.%I;', ns.nspname, t.typname)
       ELSE format('CREATE TYPE %I.%I (', ns.nspname, t.typname)
            || E'\n    INTERNALLENGTH = ' || CASE WHEN t.typlen = -1 THEN 'variable' ELSE t.typlen::text END
            || E',\n    INPUT = ' || t.typinput::regproc::text
            || E',\n    OUTPUT = ' || t.typoutput::regproc::text
            || coalesce(E',\n    RECEIVE = ' || nullif(t.typreceive, 0)::regproc::text, '')
            || coalesce(E',\n    SEND = ' || nullif(t.typsend, 0)::regproc::text, '')
            || coalesce(E',\n    TYPMOD_IN = ' || nullif(t.typmodin, 0)::regproc::text, '')
            || coalesce(E',\n    TYPMOD_OUT = ' || nullif(t.typmodout, 0)::regproc::text, '')
            || coalesce(E',\n    ANALYZE = ' || nullif(t.typanalyze, 0)::regproc::text, '')
            || CASE WHEN t.typcollation <> 0 THEN E',\n    COLLATABLE = true' ELSE '' END
            || coalesce(E',\n    DEFAULT = ' || coalesce(pg_get_expr(t.typdefaultbin, 0), quote_literal(t.typdefault)), '')
            || coalesce(E',\n    SUBSCRIPT = ' || nullif(to_jsonb(t) ->> 'typsubscript', '-'), '')
            || coalesce(E',\n    ELEMENT = ' || format_type(nullif(t.typelem, 0), NULL), '')
            || CASE WHEN t.typcategory <> 'U' THEN E',\n    CATEGORY = ' || quote_literal(t.typcategory::text) ELSE '' END
            || CASE WHEN t.typispreferred THEN E',\n    PREFERRED = true' ELSE '' END
            || CASE WHEN t.typdelim <> ',' THEN E',\n    DELIMITER = ' || quote_literal(t.typdelim::text) ELSE '' END
            || E',\n    ALIGNMENT = ' || CASE t.typalign WHEN 'c' THEN 'char' WHEN 's' THEN 'int2'
                                                      WHEN 'i' THEN 'int4' ELSE 'double' END
            || E',\n    STORAGE = ' || CASE t.typstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external'
                                                      WHEN 'x' THEN 'extended' ELSE 'main' END
            || CASE WHEN t.typbyval THEN E',\n    PASSEDBYVALUE' ELSE '' END
            || E'\n);'
       END AS definition,
       format('TYPE %I.%I', ns.nspname, t.typname) AS target,
       NULL::text AS drop,
       CASE WHEN t.typisdefined
            THEN 'a base type and its input and output functions need each other (the functions '
                 'are made on a shell type, and DROP TYPE needs CASCADE): make or drop it by hand'
       END AS unplannable,
       pg_get_userbyid(t.typowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0) AS comment,
       g.grantees, g.privileges, g.grantable
FROM pg_type t
JOIN ns ON ns.oid = t.typnamespace
CROSS JOIN LATERAL (
    SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) AS grantees,
           array_agg(x.privilege_type::text) AS privileges,
           array_agg(x.is_grantable) AS grantable
    FROM aclexplode(coalesce(t.typacl, acldefault('T', t.typowner))) x
    WHERE x.grantee <> t.typowner
) g
WHERE t.oid >= 16384
  AND (t.typtype = 'b' OR (t.typtype = 'p' AND NOT t.typisdefined))
  AND NOT (t.typelem <> 0 AND (SELECT te.typarray FROM pg_type te WHERE te.oid = t.typelem) = t.oid)
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e')
