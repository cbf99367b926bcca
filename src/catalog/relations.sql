-- Tables (ordinary and partitioned), views and materialized views in scope, without temporary
-- relations and relations that belong to an extension. Foreign tables are not read.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT c.oid,
       c.relnamespace AS schema_oid,
       c.relname::text AS name,
       c.relkind,
       pg_get_userbyid(c.relowner)::text AS owner,
       d.description AS comment,
       c.relpersistence,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition
            THEN (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid)
       END AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
       CASE WHEN NOT c.relispartition
            THEN ARRAY(SELECT i.inhparent::regclass::text FROM pg_inherits i
                       WHERE i.inhrelid = c.oid ORDER BY i.inhseqno)
       END AS inherits,
       c.relrowsecurity AS rls_enabled,
       c.relforcerowsecurity AS rls_forced,
       c.reloptions,
       -- REPLICA IDENTITY, and for USING INDEX the index (looked up only then).
       c.relreplident,
       CASE WHEN c.relreplident = 'i'
            THEN (SELECT (SELECT ic.relname::text FROM pg_class ic WHERE ic.oid = i.indexrelid)
                  FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident LIMIT 1)
       END AS replica_index,
       -- CLUSTER ON: only relations with indexes are looked up (partitioned tables cannot be).
       CASE WHEN c.relhasindex AND c.relkind IN ('r', 'm')
            THEN (SELECT (SELECT ic.relname::text FROM pg_class ic WHERE ic.oid = i.indexrelid)
                  FROM pg_index i WHERE i.indrelid = c.oid AND i.indisclustered LIMIT 1)
       END AS cluster_on,
       -- The access method unless none (views, partitioned tables before 17) or heap (OID 2).
       CASE WHEN c.relam NOT IN (0, 2)
            THEN (SELECT am.amname::text FROM pg_am am WHERE am.oid = c.relam)
       END AS access_method,
       CASE WHEN c.reltablespace <> 0
            THEN (SELECT ts.spcname::text FROM pg_tablespace ts WHERE ts.oid = c.reltablespace)
       END AS tablespace,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS definition,
       -- For dependency edges: the row type and its array type (a function can take or return
       -- them), and a view's column names by attnum (views have no dropped columns, so the
       -- n-th name is attnum n), which other views and policies can depend on.
       c.reltype AS row_type_oid,
       (SELECT t.typarray FROM pg_type t WHERE t.oid = c.reltype) AS row_array_oid,
       CASE WHEN c.relkind IN ('v', 'm')
            THEN ARRAY(SELECT a.attname::text FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum)
       END AS view_columns,
       -- Their comments, in the same order (NULL for none).
       CASE WHEN c.relkind IN ('v', 'm')
            THEN ARRAY(SELECT (SELECT d.description FROM pg_description d
                               WHERE d.objoid = c.oid AND d.classoid = 'pg_class'::regclass
                                 AND d.objsubid = a.attnum)
                       FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum)
       END AS view_column_comments,
       -- Their defaults (ALTER VIEW ... ALTER COLUMN ... SET DEFAULT), in the same order.
       CASE WHEN c.relkind = 'v'
            THEN ARRAY(SELECT CASE WHEN a.atthasdef
                                   THEN (SELECT pg_get_expr(ad.adbin, 0) FROM pg_attrdef ad
                                         WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum)
                              END
                       FROM pg_attribute a
                       WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum)
       END AS view_column_defaults
FROM pg_class c
JOIN ns ON ns.oid = c.relnamespace
LEFT JOIN pg_description d
       ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'v', 'm')
  AND c.relpersistence <> 't'
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
                        AND e.refclassid = 'pg_extension'::regclass)
