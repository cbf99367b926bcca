-- Rules made by CREATE RULE on tables and views. A view's own _RETURN rule is its query, read
-- with the view. A rule's enabled state (ALTER TABLE ... DISABLE RULE) follows its CREATE.
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
SELECT 'rule' AS kind,
       'pg_rewrite'::regclass::oid AS classid,
       r.oid,
       ns.nspname::text AS schema,
       c.relname::text AS parent,
       r.rulename::text AS name,
       pg_get_ruledef(r.oid)
           || CASE r.ev_enabled
                  WHEN 'D' THEN E'\n' || format('ALTER TABLE %I.%I DISABLE RULE %I;', ns.nspname, c.relname, r.rulename)
                  WHEN 'R' THEN E'\n' || format('ALTER TABLE %I.%I ENABLE REPLICA RULE %I;', ns.nspname, c.relname, r.rulename)
                  WHEN 'A' THEN E'\n' || format('ALTER TABLE %I.%I ENABLE ALWAYS RULE %I;', ns.nspname, c.relname, r.rulename)
                  ELSE '' END AS definition,
       format('RULE %I ON %I.%I', r.rulename, ns.nspname, c.relname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       NULL::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = r.oid AND d.classoid = 'pg_rewrite'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_rewrite r
JOIN pg_class c ON c.oid = r.ev_class
JOIN ns ON ns.oid = c.relnamespace
WHERE r.rulename <> '_RETURN' AND c.relpersistence <> 't'
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
