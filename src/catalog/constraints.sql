-- Constraints of the tables in scope and of the domains in scope. NOT NULL constraints
-- (stored here from PostgreSQL 17 for domains and 18 for tables) are left out: the reader takes
-- nullability from pg_attribute.attnotnull and pg_type.typnotnull on every version. Constraint
-- triggers (contype t) are read as triggers. Foreign keys that PostgreSQL clones for each
-- partition of a referenced partitioned table share their parent's name and table and are
-- left out.
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
SELECT k.oid,
       k.conrelid AS table_oid,
       k.contypid AS type_oid,
       k.conname::text AS name,
       k.contype,
       -- The index a primary key, unique or exclusion constraint is made of (for a foreign key,
       -- conindid is the referenced table's index: not this constraint's).
       CASE WHEN k.contype IN ('p', 'u', 'x') THEN k.conindid ELSE 0 END AS index_oid,
       pg_get_constraintdef(k.oid) AS definition,
       d.description AS comment
FROM pg_constraint k
LEFT JOIN pg_description d
       ON d.objoid = k.oid AND d.classoid = 'pg_constraint'::regclass AND d.objsubid = 0
WHERE k.contype IN ('p', 'u', 'f', 'c', 'x')
  AND (k.conrelid IN (SELECT oid FROM rel)
       OR k.contypid IN (SELECT t.oid FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
                         WHERE t.typtype = 'd'))
  AND NOT (k.contype = 'f' AND k.conparentid <> 0
           AND EXISTS (SELECT FROM pg_constraint pk
                       WHERE pk.oid = k.conparentid AND pk.conrelid = k.conrelid))
