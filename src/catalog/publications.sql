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
           || coalesce(pr.tables, '')
           || coalesce(pn.schemas, '')  -- since PostgreSQL 15
           AS definition,
       format('PUBLICATION %I', p.pubname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(p.pubowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = p.oid AND d.classoid = 'pg_publication'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_publication p
-- The ADD lines of every publication at once, joined here rather than read per publication
-- (pg_publication_namespace has no index on the publication): each catalog is read once.
LEFT JOIN (SELECT r.prpubid,
                  string_agg(E'\n' || format('ALTER PUBLICATION %I ADD TABLE ONLY %I.%I', rp.pubname, rn.nspname, rc.relname)
                             || coalesce((SELECT ' (' || string_agg(quote_ident((SELECT a.attname FROM pg_attribute a  -- since PostgreSQL 15
                                                                                 WHERE a.attrelid = r.prrelid AND a.attnum = k.attnum)),  -- since PostgreSQL 15
                                                                   ', ' ORDER BY k.i) || ')'  -- since PostgreSQL 15
                                          FROM unnest(r.prattrs) WITH ORDINALITY AS k (attnum, i)), '')  -- since PostgreSQL 15
                             || coalesce(' WHERE (' || pg_get_expr(r.prqual, r.prrelid) || ')', '')  -- since PostgreSQL 15
                             || ';',
                             '' ORDER BY rn.nspname, rc.relname) AS tables
           FROM pg_publication_rel r
           JOIN pg_publication rp ON rp.oid = r.prpubid
           JOIN pg_class rc ON rc.oid = r.prrelid
           JOIN pg_namespace rn ON rn.oid = rc.relnamespace
           GROUP BY r.prpubid) pr ON pr.prpubid = p.oid
LEFT JOIN (SELECT s.pnpubid,  -- since PostgreSQL 15
                  string_agg(E'\n' || format('ALTER PUBLICATION %I ADD TABLES IN SCHEMA %I;', sp.pubname, sn.nspname),  -- since PostgreSQL 15
                             '' ORDER BY sn.nspname) AS schemas  -- since PostgreSQL 15
           FROM pg_publication_namespace s  -- since PostgreSQL 15
           JOIN pg_publication sp ON sp.oid = s.pnpubid  -- since PostgreSQL 15
           JOIN pg_namespace sn ON sn.oid = s.pnnspid  -- since PostgreSQL 15
           GROUP BY s.pnpubid) pn ON pn.pnpubid = p.oid  -- since PostgreSQL 15
WHERE coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_publication'::regclass AND e.objid = p.oid AND e.deptype = 'e')
