-- Casts made by CREATE CAST: source and target type, how (a function, WITHOUT FUNCTION, WITH
-- INOUT) and when (explicitly, AS ASSIGNMENT, AS IMPLICIT). Database-wide: not in a schema
-- (the types and the function a cast names carry their schemas), named `(source AS target)`.
-- Casts have no owner. A cast that is part of another object (a range type's cast to its
-- multirange type) comes with it.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: casts are not
-- in a schema).
SELECT 'cast' AS kind,
       'pg_cast'::regclass::oid AS classid,
       c.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       format('(%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)) AS name,
       format('CREATE CAST (%s AS %s) %s%s;', format_type(c.castsource, NULL), format_type(c.casttarget, NULL),
              CASE c.castmethod WHEN 'i' THEN 'WITH INOUT'
                                WHEN 'b' THEN 'WITHOUT FUNCTION'
                                ELSE 'WITH FUNCTION ' || c.castfunc::regprocedure::text END,
              CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT' ELSE '' END) AS definition,
       format('CAST (%s AS %s)', format_type(c.castsource, NULL), format_type(c.casttarget, NULL)) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       NULL::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = c.oid AND d.classoid = 'pg_cast'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_cast c
WHERE c.oid >= 16384 AND coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_cast'::regclass AND e.objid = c.oid AND e.deptype IN ('e', 'i'))
