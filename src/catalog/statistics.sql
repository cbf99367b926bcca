-- Extended statistics objects (CREATE STATISTICS): kinds, columns or expressions, and a
-- statistics target set with ALTER STATISTICS (-1 before PostgreSQL 17, NULL since, for the
-- default). The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT 'statistics' AS kind,
       'pg_statistic_ext'::regclass::oid AS classid,
       s.oid,
       ns.nspname::text AS schema,
       NULL::text AS parent,
       s.stxname::text AS name,
       pg_get_statisticsobjdef(s.oid) || ';'
           || CASE WHEN s.stxstattarget >= 0
                   THEN E'\n' || format('ALTER STATISTICS %I.%I SET STATISTICS %s;', ns.nspname, s.stxname, s.stxstattarget)
                   ELSE '' END AS definition,
       format('STATISTICS %I.%I', ns.nspname, s.stxname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(s.stxowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = s.oid AND d.classoid = 'pg_statistic_ext'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_statistic_ext s
JOIN ns ON ns.oid = s.stxnamespace
WHERE NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_statistic_ext'::regclass AND e.objid = s.oid AND e.deptype = 'e')
