-- Publications: FOR ALL TABLES, or the tables (with their column lists and row filters since
-- PostgreSQL 15) and schemas (since 15) added to them, then the publish actions and options,
-- printed as pg_dump does: CREATE PUBLICATION ... WITH (...), then one ALTER PUBLICATION ...
-- ADD line per table and schema, sorted by schema and name so that the text does not depend
-- on the order they were added in. Database-wide: not in a schema. A table out of the schemas
-- read is listed all the same (the publication is one object).
-- publish_generated_columns (PostgreSQL 18) is read through the row as jsonb, and printed only
-- when not the default, as pg_dump does.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: publications
-- are not in a schema).
SELECT 'publication' AS kind,
       'pg_publication'::regclass::oid AS classid,
       p.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       p.pubname::text AS name,
       format('CREATE PUBLICATION %I', p.pubname)
           || CASE WHEN p.puballtables THEN ' FOR ALL TABLES' ELSE '' END
           || ' WITH (publish = ' || quote_literal(concat_ws(', ',
                  CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
                  CASE WHEN p.pubdelete THEN 'delete' END, CASE WHEN p.pubtruncate THEN 'truncate' END))
           || CASE WHEN p.pubviaroot THEN ', publish_via_partition_root = true' ELSE '' END
           || CASE to_jsonb(p) ->> 'pubgencols' WHEN 's' THEN ', publish_generated_columns = stored' ELSE '' END
           || ');'
           || coalesce((
                  SELECT string_agg(E'\n' || format('ALTER PUBLICATION %I ADD TABLE ONLY %I.%I', p.pubname, t.nspname, t.relname)
                                    || coalesce((SELECT ' (' || string_agg(quote_ident((SELECT a.attname FROM pg_attribute a  -- since PostgreSQL 15
                                                                                        WHERE a.attrelid = r.prrelid AND a.attnum = k.attnum)),  -- since PostgreSQL 15
                                                                          ', ' ORDER BY k.i) || ')'  -- since PostgreSQL 15
                                                 FROM unnest(r.prattrs) WITH ORDINALITY AS k (attnum, i)), '')  -- since PostgreSQL 15
                                    || coalesce(' WHERE (' || pg_get_expr(r.prqual, r.prrelid) || ')', '')  -- since PostgreSQL 15
                                    || ';',
                                    '' ORDER BY t.nspname, t.relname)
                  FROM pg_publication_rel r,
                       LATERAL (SELECT c.relname, (SELECT n.nspname FROM pg_namespace n WHERE n.oid = c.relnamespace) AS nspname
                                FROM pg_class c WHERE c.oid = r.prrelid) t
                  WHERE r.prpubid = p.oid), '')
           || coalesce((  -- since PostgreSQL 15
                  SELECT string_agg(E'\n' || format('ALTER PUBLICATION %I ADD TABLES IN SCHEMA %I;', p.pubname, t.nspname),  -- since PostgreSQL 15
                                    '' ORDER BY t.nspname)  -- since PostgreSQL 15
                  FROM pg_publication_namespace s,  -- since PostgreSQL 15
                       LATERAL (SELECT n.nspname FROM pg_namespace n WHERE n.oid = s.pnnspid) t  -- since PostgreSQL 15
                  WHERE s.pnpubid = p.oid), '')  -- since PostgreSQL 15
           AS definition,
       format('PUBLICATION %I', p.pubname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(p.pubowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = p.oid AND d.classoid = 'pg_publication'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_publication p
WHERE coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_publication'::regclass AND e.objid = p.oid AND e.deptype = 'e')
