-- Live columns of the tables in scope (the same relations as relations.sql), in no particular
-- order: the reader sorts by attnum to number them.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), rel AS (
    SELECT c.oid, c.relkind
    FROM pg_class c
    JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm')
      AND c.relpersistence <> 't'
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e'
                            AND e.refclassid = 'pg_extension'::regclass)
)
SELECT a.attrelid AS table_oid,
       a.attnum,
       a.attname::text AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null,
       -- A default cannot refer to columns, so it deparses without the relation (which would
       -- have to be opened, and that is slow the first time in a session); a generated
       -- expression needs it. Looked up only for the columns that have one (atthasdef): most
       -- do not, and a join would probe pg_attrdef for every column.
       CASE WHEN a.atthasdef
            THEN (SELECT pg_get_expr(ad.adbin, CASE WHEN a.attgenerated <> '' THEN ad.adrelid ELSE 0 END)
                  FROM pg_attrdef ad
                  WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum)
       END AS expression,
       -- The default's own OID, for the dependency edges of the default (pg_attrdef rows).
       CASE WHEN a.atthasdef
            THEN (SELECT ad.oid FROM pg_attrdef ad
                  WHERE ad.adrelid = a.attrelid AND ad.adnum = a.attnum)
       END AS default_oid,
       a.attgenerated AS generated,
       a.attidentity AS identity,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
            THEN (SELECT quote_ident((SELECT cn.nspname FROM pg_namespace cn
                                      WHERE cn.oid = co.collnamespace))
                         || '.' || quote_ident(co.collname)
                  FROM pg_collation co WHERE co.oid = a.attcollation)
       END AS collation,
       -- Storage only where it is not the type's: that is what SET STORAGE changed.
       CASE WHEN a.attstorage <> t.typstorage THEN a.attstorage END AS storage,
       a.attcompression AS compression, -- since PostgreSQL 14
       -- The default is -1 before PostgreSQL 17 and NULL from 17 (a smallint then).
       NULLIF(a.attstattarget::int4, -1) AS statistics,
       a.attoptions AS options,
       -- An identity column's sequence: start, increment, min, max, cache, cycle (0/1). Found
       -- through its internal dependency on the column, only for identity columns.
       CASE WHEN a.attidentity <> ''
            THEN (SELECT (SELECT ARRAY[s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache,
                                       s.seqcycle::int4::int8]
                          FROM pg_sequence s WHERE s.seqrelid = o.objid)
                  FROM pg_depend o
                  WHERE o.refclassid = 'pg_class'::regclass AND o.refobjid = a.attrelid
                    AND o.refobjsubid = a.attnum AND o.classid = 'pg_class'::regclass
                    AND o.deptype = 'i'
                  LIMIT 1)
       END AS identity_sequence,
       d.description AS comment
FROM rel
JOIN pg_attribute a ON a.attrelid = rel.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_description d
       ON d.objoid = a.attrelid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
WHERE rel.relkind IN ('r', 'p')
