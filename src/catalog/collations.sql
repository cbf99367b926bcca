-- Collations made by CREATE COLLATION: provider, locale (or LC_COLLATE and LC_CTYPE), ICU rules
-- and determinism, printed as pg_dump does. The locale columns differ between versions
-- (colliculocale in 15 and 16, colllocale since 17, collicurules since 16), so they are read
-- through the row as jsonb, which has whichever the server has. The collation's version
-- (collversion) is the library's on that machine, not the schema's, and is left out.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), coll AS (
    SELECT c.oid, ns.nspname, c.collname, c.collowner, c.collprovider, c.collisdeterministic,
           coalesce(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale') AS locale,
           to_jsonb(c) ->> 'collicurules' AS rules,
           c.collcollate::text AS lc_collate, c.collctype::text AS lc_ctype
    FROM pg_collation c
    JOIN ns ON ns.oid = c.collnamespace
    WHERE NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_collation'::regclass AND e.objid = c.oid AND e.deptype = 'e')
)
SELECT 'collation' AS kind,
       'pg_collation'::regclass::oid AS classid,
       c.oid,
       c.nspname::text AS schema,
       NULL::text AS parent,
       c.collname::text AS name,
       format('CREATE COLLATION %I.%I (%s);', c.nspname, c.collname, concat_ws(', ',
           'provider = ' || CASE c.collprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu'
                                                WHEN 'b' THEN 'builtin' ELSE 'default' END,
           CASE WHEN NOT c.collisdeterministic THEN 'deterministic = false' END,
           CASE WHEN c.locale IS NOT NULL THEN 'locale = ' || quote_literal(c.locale)
                WHEN c.lc_collate IS NOT DISTINCT FROM c.lc_ctype THEN 'locale = ' || quote_literal(c.lc_collate)
                ELSE 'lc_collate = ' || quote_literal(c.lc_collate) || ', lc_ctype = ' || quote_literal(c.lc_ctype) END,
           'rules = ' || quote_literal(c.rules))) AS definition,
       format('COLLATION %I.%I', c.nspname, c.collname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(c.collowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = c.oid AND d.classoid = 'pg_collation'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM coll c
