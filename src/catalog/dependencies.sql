-- Dependency edges, raw from pg_depend: "(classid, objid, objsubid) needs (refclassid, refobjid,
-- refobjsubid)", normal (n) and automatic (a), and extension membership (e) so that the reader
-- can fold an extension's objects onto the extension. The reader maps both ends to model
-- identities through the OIDs the other queries return and drops every edge with an end outside
-- the model (system objects, schemas out of scope, ...), so nothing here
-- filters by schema; the ns prelude is the one every query shares.
-- A view's or materialized view's query is its _RETURN rule: rule rows are folded to the view
-- (ev_class), which turns the rule's dependency on its own view into a self edge, left out.
-- Other rules (CREATE RULE on a table) stay rules: they are objects of their own. A member of
-- an operator class or family (a pg_amop or pg_amproc row) is folded the same way onto the
-- class or family it belongs to (through the member's own pg_depend row), so that these need
-- the operators and functions they list. Edges to a schema are left out: every object needs
-- its schema. Internal dependencies (i: a table's row type, an
-- identity column's sequence, a constraint's index) make one object part of another and are
-- not read. Dependers with an OID below 16384 (FirstNormalObjectId) were made by initdb.
-- No joins: scans of pg_depend, and lookups through unique OID indexes, whatever the statistics
-- say (a database just built by migrations has none that fit, nor do copies of it made with
-- CREATE DATABASE ... TEMPLATE).
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype
FROM (
    SELECT CASE WHEN d.view IS NOT NULL THEN 'pg_class'::regclass::oid
                WHEN d.member IS NOT NULL THEN d.member_class ELSE d.classid END AS classid,
           coalesce(d.view, d.member, d.objid) AS objid,
           CASE WHEN d.view IS NOT NULL THEN 0 ELSE d.objsubid END AS objsubid,
           d.refclassid, d.refobjid, d.refobjsubid,
           -- A loose member goes by itself when its operator is dropped; its family stays
           -- without it, which is no drop of the family: a plain edge.
           CASE WHEN d.member IS NOT NULL THEN 'n'::"char" ELSE d.deptype END AS deptype,
           d.view IS NOT NULL AS rule
    FROM (
        SELECT d.classid, d.objid, d.objsubid, d.refclassid, d.refobjid, d.refobjsubid, d.deptype,
               CASE WHEN d.classid = 'pg_rewrite'::regclass
                    THEN (SELECT r.ev_class FROM pg_rewrite r
                          WHERE r.oid = d.objid AND r.rulename = '_RETURN') END AS view,
               CASE WHEN d.classid IN ('pg_amop'::regclass, 'pg_amproc'::regclass)
                    THEN (SELECT m.refclassid FROM pg_depend m
                          WHERE m.classid = d.classid AND m.objid = d.objid
                            AND m.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
                          LIMIT 1) END AS member_class,
               CASE WHEN d.classid IN ('pg_amop'::regclass, 'pg_amproc'::regclass)
                    THEN (SELECT m.refobjid FROM pg_depend m
                          WHERE m.classid = d.classid AND m.objid = d.objid
                            AND m.refclassid IN ('pg_opclass'::regclass, 'pg_opfamily'::regclass)
                          LIMIT 1) END AS member
        FROM pg_depend d
        WHERE d.deptype IN ('n', 'a') AND d.objid >= 16384
          AND d.refclassid <> 'pg_namespace'::regclass
          -- A column default's automatic dependency is on its own column (a generated column's
          -- is internal): it folds onto itself. A third of the rows in a large schema.
          AND NOT (d.classid = 'pg_attrdef'::regclass AND d.deptype = 'a')
        -- Not pulled up into the outer query, which would look each rule up again in its filter.
        OFFSET 0
    ) d
) d
-- A view's rule on its own view, at any sub-id; a column on another column of its table (a
-- generated column's before PostgreSQL 14) is an edge.
WHERE NOT (d.classid = d.refclassid AND d.objid = d.refobjid
           AND (d.rule OR d.objsubid = d.refobjsubid))
UNION ALL
-- The members of each extension (plpgsql's too, made by initdb).
SELECT e.classid, e.objid, e.objsubid, e.refclassid, e.refobjid, e.refobjsubid, e.deptype
FROM pg_depend e
WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
UNION ALL
-- The array type of an extension's type is the element type's, not a member of its own: as
-- a member too, so that a column of type citext[] needs the extension as citext does.
SELECT e.classid, (SELECT t.typarray FROM pg_type t WHERE t.oid = e.objid), 0,
       e.refclassid, e.refobjid, 0, e.deptype
FROM pg_depend e
WHERE e.refclassid = 'pg_extension'::regclass AND e.deptype = 'e'
  AND e.classid = 'pg_type'::regclass
