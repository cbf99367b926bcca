-- Foreign tables (pg_class relkind f, which no other query reads): columns in attnum order
-- with type, options, collation (when not the type's), NOT NULL and default or generation
-- expression, CHECK constraints, server and options, as one CREATE FOREIGN TABLE; then what
-- pg_dump prints after it: CHECK constraints added NOT VALID, columns' statistics targets and
-- storage (against the type's), column comments, column privileges and triggers (with their
-- enabled state and comment; the trigger query reads tables and views only). Options are printed in
-- the order stored. Foreign tables that are partitions or inherit from another table are left
-- out (not compared).
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), ft AS (
    SELECT c.oid, ns.nspname, c.relname, c.relowner, c.relacl,
           (SELECT f.ftserver FROM pg_foreign_table f WHERE f.ftrelid = c.oid) AS ftserver,
           (SELECT f.ftoptions FROM pg_foreign_table f WHERE f.ftrelid = c.oid) AS ftoptions,
           format('%I.%I', ns.nspname, c.relname) AS qualified
    FROM pg_class c
    JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind = 'f' AND c.oid >= 16384 AND NOT c.relispartition
      AND NOT EXISTS (SELECT FROM pg_inherits i WHERE i.inhrelid = c.oid)
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')
)
SELECT 'foreign_table' AS kind,
       'pg_class'::regclass::oid AS classid,
       t.oid,
       t.nspname::text AS schema,
       NULL::text AS parent,
       t.relname::text AS name,
       'CREATE FOREIGN TABLE ' || t.qualified || ' ('
           || coalesce(E'\n' || (
                  SELECT string_agg(x.line, E',\n' ORDER BY x.o1, x.o2, x.o3)
                  FROM (
                      SELECT 1 AS o1, a.attnum AS o2, '' AS o3,
                             '    ' || quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                             || coalesce(' OPTIONS ('
                                         || (SELECT string_agg(quote_ident(o.option_name) || ' ' || quote_literal(o.option_value),
                                                               ', ' ORDER BY o.i)
                                             FROM pg_options_to_table(a.attfdwoptions) WITH ORDINALITY AS o (option_name, option_value, i))
                                         || ')', '')
                             || CASE WHEN a.attcollation <> 0
                                          AND a.attcollation <> (SELECT ty.typcollation FROM pg_type ty WHERE ty.oid = a.atttypid)
                                     THEN ' COLLATE ' || (SELECT (SELECT quote_ident(cn.nspname) FROM pg_namespace cn
                                                                  WHERE cn.oid = co.collnamespace)
                                                                 || '.' || quote_ident(co.collname)
                                                          FROM pg_collation co
                                                          WHERE co.oid = a.attcollation)
                                     ELSE '' END
                             || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END
                             || coalesce((SELECT CASE a.attgenerated
                                                     WHEN 's' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ') STORED'
                                                     WHEN 'v' THEN ' GENERATED ALWAYS AS (' || pg_get_expr(ad.adbin, ad.adrelid) || ')'
                                                     ELSE ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) END
                                          FROM pg_attrdef ad WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum), '')
                             AS line
                      FROM pg_attribute a
                      WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                      UNION ALL
                      SELECT 2, 0, k.conname::text,
                             '    CONSTRAINT ' || quote_ident(k.conname) || ' ' || pg_get_constraintdef(k.oid)
                      FROM pg_constraint k
                      WHERE k.conrelid = t.oid AND k.contype = 'c' AND k.convalidated
                  ) x), '')
           || E'\n)\nSERVER '
           || (SELECT quote_ident(s.srvname) FROM pg_foreign_server s WHERE s.oid = t.ftserver)
           || coalesce(E'\nOPTIONS (\n    '
                       || (SELECT string_agg(quote_ident(o.option_name) || ' ' || quote_literal(o.option_value),
                                             E',\n    ' ORDER BY o.i)
                           FROM pg_options_to_table(t.ftoptions) WITH ORDINALITY AS o (option_name, option_value, i))
                       || E'\n)', '')
           || ';'
           || coalesce((
                  SELECT string_agg(E'\n' || y.line, '' ORDER BY y.o1, y.o2, y.o3)
                  FROM (
                      SELECT 1 AS o1, 0 AS o2, k.conname::text AS o3,
                             format('ALTER FOREIGN TABLE %s ADD CONSTRAINT %I %s;', t.qualified, k.conname,
                                    pg_get_constraintdef(k.oid)) AS line
                      FROM pg_constraint k
                      WHERE k.conrelid = t.oid AND k.contype = 'c' AND NOT k.convalidated
                      UNION ALL
                      SELECT 2, a.attnum, '',
                             format('ALTER FOREIGN TABLE ONLY %s ALTER COLUMN %I SET STATISTICS %s;',
                                    t.qualified, a.attname, a.attstattarget)
                      FROM pg_attribute a
                      WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attstattarget >= 0
                      UNION ALL
                      SELECT 3, a.attnum, '',
                             format('ALTER FOREIGN TABLE ONLY %s ALTER COLUMN %I SET STORAGE %s;', t.qualified, a.attname,
                                    CASE a.attstorage WHEN 'p' THEN 'PLAIN' WHEN 'e' THEN 'EXTERNAL'
                                                      WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END)
                      FROM pg_attribute a
                      WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
                        AND a.attstorage <> (SELECT ty.typstorage FROM pg_type ty WHERE ty.oid = a.atttypid)
                      UNION ALL
                      SELECT 4, d.objsubid, '',
                             format('COMMENT ON COLUMN %s.%I IS %s;', t.qualified,
                                    (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = t.oid AND a.attnum = d.objsubid),
                                    quote_literal(d.description))
                      FROM pg_description d
                      WHERE d.objoid = t.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid > 0
                      UNION ALL
                      SELECT 5, a.attnum,
                             CASE WHEN (a.x).grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid((a.x).grantee)::text END
                                 || ' ' || (a.x).privilege_type,
                             format('GRANT %s (%I) ON TABLE %s TO %s%s;', (a.x).privilege_type, a.attname, t.qualified,
                                    CASE WHEN (a.x).grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid((a.x).grantee)) END,
                                    CASE WHEN (a.x).is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
                      -- aclexplode in the select list, not joined: one scan of pg_attribute.
                      FROM (SELECT a.attnum, a.attname, aclexplode(a.attacl) AS x
                            FROM pg_attribute a
                            WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL) a
                      UNION ALL
                      SELECT 6, 0, tg.tgname::text,
                             pg_get_triggerdef(tg.oid) || ';'
                             || CASE tg.tgenabled
                                    WHEN 'D' THEN E'\n' || format('ALTER FOREIGN TABLE %s DISABLE TRIGGER %I;', t.qualified, tg.tgname)
                                    WHEN 'R' THEN E'\n' || format('ALTER FOREIGN TABLE %s ENABLE REPLICA TRIGGER %I;', t.qualified, tg.tgname)
                                    WHEN 'A' THEN E'\n' || format('ALTER FOREIGN TABLE %s ENABLE ALWAYS TRIGGER %I;', t.qualified, tg.tgname)
                                    ELSE '' END
                             || coalesce((SELECT E'\n' || format('COMMENT ON TRIGGER %I ON %s IS %L;', tg.tgname, t.qualified, d.description)
                                          FROM pg_description d
                                          WHERE d.objoid = tg.oid AND d.classoid = 'pg_trigger'::regclass AND d.objsubid = 0), '')
                      FROM pg_trigger tg
                      WHERE tg.tgrelid = t.oid AND NOT tg.tgisinternal
                  ) y), '') AS definition,
       'FOREIGN TABLE ' || t.qualified AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(t.relowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = t.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0) AS comment,
       g.grantees, g.privileges, g.grantable
FROM ft t
CROSS JOIN LATERAL (
    SELECT array_agg(CASE WHEN x.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x.grantee)::text END) AS grantees,
           array_agg(x.privilege_type) AS privileges,
           array_agg(x.is_grantable) AS grantable
    FROM aclexplode(coalesce(t.relacl, acldefault('r', t.relowner))) x
    WHERE x.grantee <> t.relowner
) g
