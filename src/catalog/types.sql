-- Enums, domains, composite types (CREATE TYPE ... AS, not the row types of tables) and ranges
-- in scope, except those that belong to an extension. Array and multirange types come with
-- their element and range types and are not read.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT t.oid,
       t.typnamespace AS schema_oid,
       t.typname::text AS name,
       pg_get_userbyid(t.typowner)::text AS owner,
       d.description AS comment,
       t.typtype AS kind,
       -- For dependency edges, the OIDs that stand for this type: its array type, a composite
       -- type's relation, and the types made with a range: its multirange type and the array
       -- types of both (0 where a type has no array type).
       t.typarray AS array_oid,
       t.typrelid AS relation_oid,
       CASE WHEN t.typtype = 'r'
            THEN ARRAY(SELECT unnest(ARRAY[m.objid, (SELECT mt.typarray FROM pg_type mt
                                                     WHERE mt.oid = m.objid)])
                       FROM pg_depend m
                       WHERE m.refclassid = 'pg_type'::regclass AND m.refobjid = t.oid
                         AND m.refobjsubid = 0 AND m.classid = 'pg_type'::regclass
                         AND m.deptype = 'i')
       END AS multirange_oids,
       -- enum
       CASE WHEN t.typtype = 'e'
            THEN ARRAY(SELECT e.enumlabel::text FROM pg_enum e
                       WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)
       END AS labels,
       -- domain
       CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
       t.typnotnull AS not_null,
       CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS "default",
       CASE WHEN t.typtype = 'd' AND t.typcollation <> 0 AND t.typcollation <> bt.typcollation
            THEN (SELECT quote_ident((SELECT cn.nspname FROM pg_namespace cn
                                      WHERE cn.oid = co.collnamespace))
                         || '.' || quote_ident(co.collname)
                  FROM pg_collation co WHERE co.oid = t.typcollation)
            WHEN t.typtype = 'r' AND r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
            THEN (SELECT quote_ident((SELECT cn.nspname FROM pg_namespace cn
                                      WHERE cn.oid = co.collnamespace))
                         || '.' || quote_ident(co.collname)
                  FROM pg_collation co WHERE co.oid = r.rngcollation)
       END AS collation,
       -- composite
       CASE WHEN t.typtype = 'c'
            THEN ARRAY(SELECT a.attname::text FROM pg_attribute a
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                       ORDER BY a.attnum)
       END AS attribute_names,
       CASE WHEN t.typtype = 'c'
            THEN ARRAY(SELECT format_type(a.atttypid, a.atttypmod) ||
                              CASE WHEN a.attcollation <> 0
                                        AND a.attcollation <> (SELECT at.typcollation FROM pg_type at
                                                               WHERE at.oid = a.atttypid)
                                   THEN ' COLLATE ' ||
                                        (SELECT quote_ident((SELECT cn.nspname FROM pg_namespace cn
                                                             WHERE cn.oid = co.collnamespace))
                                                || '.' || quote_ident(co.collname)
                                         FROM pg_collation co WHERE co.oid = a.attcollation)
                                   ELSE '' END
                       FROM pg_attribute a
                       WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
                       ORDER BY a.attnum)
       END AS attribute_types,
       -- range
       CASE WHEN t.typtype = 'r' THEN format_type(r.rngsubtype, NULL) END AS subtype,
       CASE WHEN NOT opc.opcdefault
            THEN (SELECT quote_ident(on_.nspname) FROM pg_namespace on_ WHERE on_.oid = opc.opcnamespace)
                 || '.' || quote_ident(opc.opcname)
       END AS subtype_opclass,
       (SELECT quote_ident((SELECT pn.nspname FROM pg_namespace pn WHERE pn.oid = pr.pronamespace))
               || '.' || quote_ident(pr.proname)
        FROM pg_proc pr WHERE pr.oid = r.rngcanonical) AS canonical,
       (SELECT quote_ident((SELECT pn.nspname FROM pg_namespace pn WHERE pn.oid = pr.pronamespace))
               || '.' || quote_ident(pr.proname)
        FROM pg_proc pr WHERE pr.oid = r.rngsubdiff) AS subtype_diff
FROM pg_type t
JOIN ns ON ns.oid = t.typnamespace
LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_range r ON r.rngtypid = t.oid
LEFT JOIN pg_type st ON st.oid = r.rngsubtype
LEFT JOIN pg_opclass opc ON opc.oid = r.rngsubopc
LEFT JOIN pg_description d
       ON d.objoid = t.oid AND d.classoid = 'pg_type'::regclass AND d.objsubid = 0
WHERE (t.typtype IN ('e', 'd', 'r')
       -- One hashed look at pg_class rather than a lookup per table row type.
       OR (t.typtype = 'c' AND t.typrelid IN (SELECT c.oid FROM pg_class c WHERE c.relkind = 'c')))
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_type'::regclass AND e.objid = t.oid AND e.deptype = 'e'
                        AND e.refclassid = 'pg_extension'::regclass)
