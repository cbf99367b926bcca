-- Operators (CREATE OPERATOR), operator families (CREATE OPERATOR FAMILY, then ALTER OPERATOR
-- FAMILY ... ADD for the members that belong to the family but to none of its classes) and
-- operator classes (CREATE OPERATOR CLASS with the members that belong to the class), printed
-- as pg_dump does. A member belongs to whatever its pg_depend row points to: the class, or the
-- family (a loose member, or a cross-type one the access method gives to the family). A class
-- always names its family, which is an object of its own even when CREATE OPERATOR CLASS made
-- it, and is made first. Shell operators (made by a COMMUTATOR or NEGATOR that names an
-- operator not made yet) are not objects of their own, as in pg_dump. Members are printed in
-- strategy or support number order, then by their types, whatever their OIDs.
-- Each correlated subquery reads one catalog (names through nested lookups by OID): the
-- membership tests end in OFFSET 0, which keeps each a lookup per member, not a join run
-- once per family or class.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), op AS (
    SELECT o.oid, ns.nspname, o.oprname, o.oprowner,
           format('%s(%s, %s)', o.oprname, coalesce(format_type(nullif(o.oprleft, 0), NULL), 'NONE'),
                  coalesce(format_type(nullif(o.oprright, 0), NULL), 'NONE')) AS signature,
           concat_ws(E',\n    ',
               'FUNCTION = ' || o.oprcode::regproc::text,
               'LEFTARG = ' || format_type(nullif(o.oprleft, 0), NULL),
               'RIGHTARG = ' || format_type(nullif(o.oprright, 0), NULL),
               (SELECT format('COMMUTATOR = OPERATOR(%I.%s)',
                              (SELECT cn.nspname FROM pg_namespace cn WHERE cn.oid = co.oprnamespace), co.oprname)
                FROM pg_operator co
                WHERE co.oid = nullif(o.oprcom, 0)),
               (SELECT format('NEGATOR = OPERATOR(%I.%s)',
                              (SELECT nn.nspname FROM pg_namespace nn WHERE nn.oid = no.oprnamespace), no.oprname)
                FROM pg_operator no
                WHERE no.oid = nullif(o.oprnegate, 0)),
               CASE WHEN o.oprcanmerge THEN 'MERGES' END,
               CASE WHEN o.oprcanhash THEN 'HASHES' END,
               'RESTRICT = ' || nullif(o.oprrest, 0)::regproc::text,
               'JOIN = ' || nullif(o.oprjoin, 0)::regproc::text) AS options
    FROM pg_operator o
    JOIN ns ON ns.oid = o.oprnamespace
    WHERE o.oid >= 16384 AND o.oprcode <> 0
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_operator'::regclass AND e.objid = o.oid AND e.deptype = 'e')
), fam AS (
    SELECT f.oid, ns.nspname, f.opfname, f.opfowner,
           (SELECT quote_ident(a.amname) FROM pg_am a WHERE a.oid = f.opfmethod) AS am
    FROM pg_opfamily f
    JOIN ns ON ns.oid = f.opfnamespace
    WHERE f.oid >= 16384
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_opfamily'::regclass AND e.objid = f.oid AND e.deptype = 'e')
), cls AS (
    SELECT c.oid, ns.nspname, c.opcname, c.opcowner, c.opcdefault, c.opcintype, c.opckeytype, c.opcfamily,
           (SELECT quote_ident(a.amname) FROM pg_am a WHERE a.oid = c.opcmethod) AS am,
           (SELECT format('%I.%I', (SELECT fn.nspname FROM pg_namespace fn WHERE fn.oid = f.opfnamespace), f.opfname)
            FROM pg_opfamily f
            WHERE f.oid = c.opcfamily) AS family
    FROM pg_opclass c
    JOIN ns ON ns.oid = c.opcnamespace
    WHERE c.oid >= 16384
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_opclass'::regclass AND e.objid = c.oid AND e.deptype = 'e')
)
SELECT 'operator' AS kind,
       'pg_operator'::regclass::oid AS classid,
       o.oid,
       o.nspname::text AS schema,
       NULL::text AS parent,
       o.signature AS name,
       format(E'CREATE OPERATOR %I.%s (\n    %s\n);', o.nspname, o.oprname, o.options) AS definition,
       format('OPERATOR %I.%s', o.nspname, replace(o.signature, '(', ' (')) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(o.oprowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = o.oid AND d.classoid = 'pg_operator'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM op o
UNION ALL
SELECT 'operator_family',
       'pg_opfamily'::regclass::oid,
       f.oid,
       f.nspname::text,
       NULL::text,
       format('%I USING %s', f.opfname, f.am),
       format('CREATE OPERATOR FAMILY %I.%I USING %s;', f.nspname, f.opfname, f.am)
           || coalesce(format(E'\nALTER OPERATOR FAMILY %I.%I USING %s ADD\n    ', f.nspname, f.opfname, f.am)
                       || (SELECT string_agg(m.item, E',\n    ' ORDER BY m.proc, m.num, m.types)
                          FROM (SELECT false AS proc, ao.amopstrategy AS num,
                                       ao.amopopr::regoperator::text AS types,
                                       format('OPERATOR %s %s', ao.amopstrategy, ao.amopopr::regoperator)
                                           || coalesce((SELECT format(' FOR ORDER BY %I.%I',
                                                                      (SELECT sn.nspname FROM pg_namespace sn WHERE sn.oid = sf.opfnamespace),
                                                                      sf.opfname)
                                                        FROM pg_opfamily sf
                                                        WHERE ao.amopsortfamily <> 0 AND sf.oid = ao.amopsortfamily), '') AS item
                                FROM pg_amop ao
                                WHERE ao.amopfamily = f.oid
                                  -- OFFSET 0: not made a semi-join (see above).
                                  AND EXISTS (SELECT FROM pg_depend d
                                              WHERE d.classid = 'pg_amop'::regclass AND d.objid = ao.oid
                                                AND d.refclassid = 'pg_opfamily'::regclass AND d.refobjid = f.oid
                                              OFFSET 0)
                                UNION ALL
                                SELECT true, ap.amprocnum,
                                       format_type(ap.amproclefttype, NULL) || ', ' || format_type(ap.amprocrighttype, NULL),
                                       format('FUNCTION %s (%s, %s) %s', ap.amprocnum, format_type(ap.amproclefttype, NULL),
                                              format_type(ap.amprocrighttype, NULL), ap.amproc::regprocedure)
                                FROM pg_amproc ap
                                WHERE ap.amprocfamily = f.oid
                                  AND EXISTS (SELECT FROM pg_depend d
                                              WHERE d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid
                                                AND d.refclassid = 'pg_opfamily'::regclass AND d.refobjid = f.oid
                                              OFFSET 0)) m)
                       || ';',
                       ''),
       format('OPERATOR FAMILY %I.%I USING %s', f.nspname, f.opfname, f.am),
       NULL::text,
       NULL::text,
       pg_get_userbyid(f.opfowner)::text,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = f.oid AND d.classoid = 'pg_opfamily'::regclass AND d.objsubid = 0),
       NULL::text[], NULL::text[], NULL::bool[]
FROM fam f
UNION ALL
SELECT 'operator_class',
       'pg_opclass'::regclass::oid,
       c.oid,
       c.nspname::text,
       NULL::text,
       format('%I USING %s', c.opcname, c.am),
       format(E'CREATE OPERATOR CLASS %I.%I\n    %sFOR TYPE %s USING %s FAMILY %s AS\n    %s;',
              c.nspname, c.opcname, CASE WHEN c.opcdefault THEN 'DEFAULT ' ELSE '' END,
              format_type(c.opcintype, NULL), c.am, c.family,
              coalesce((SELECT string_agg(m.item, E',\n    ' ORDER BY m.part, m.num, m.types)
                        FROM (SELECT 0 AS part, 0 AS num, '' AS types, 'STORAGE ' || format_type(c.opckeytype, NULL) AS item
                              WHERE c.opckeytype <> 0
                              UNION ALL
                              SELECT 1, ao.amopstrategy, ao.amopopr::regoperator::text,
                                     format('OPERATOR %s %s', ao.amopstrategy, ao.amopopr::regoperator)
                                         || coalesce((SELECT format(' FOR ORDER BY %I.%I',
                                                                    (SELECT sn.nspname FROM pg_namespace sn WHERE sn.oid = sf.opfnamespace),
                                                                    sf.opfname)
                                                      FROM pg_opfamily sf
                                                      WHERE ao.amopsortfamily <> 0 AND sf.oid = ao.amopsortfamily), '')
                              FROM pg_amop ao
                              WHERE ao.amopfamily = c.opcfamily
                                AND EXISTS (SELECT FROM pg_depend d
                                            WHERE d.classid = 'pg_amop'::regclass AND d.objid = ao.oid
                                              AND d.refclassid = 'pg_opclass'::regclass AND d.refobjid = c.oid
                                            OFFSET 0)
                              UNION ALL
                              SELECT 2, ap.amprocnum,
                                     format_type(ap.amproclefttype, NULL) || ', ' || format_type(ap.amprocrighttype, NULL),
                                     format('FUNCTION %s (%s, %s) %s', ap.amprocnum, format_type(ap.amproclefttype, NULL),
                                            format_type(ap.amprocrighttype, NULL), ap.amproc::regprocedure)
                              FROM pg_amproc ap
                              WHERE ap.amprocfamily = c.opcfamily
                                AND EXISTS (SELECT FROM pg_depend d
                                            WHERE d.classid = 'pg_amproc'::regclass AND d.objid = ap.oid
                                              AND d.refclassid = 'pg_opclass'::regclass AND d.refobjid = c.oid
                                            OFFSET 0)) m),
                       -- A class without members: STORAGE of its own type is a no-op that
                       -- keeps the statement whole (pg_dump prints the same).
                       'STORAGE ' || format_type(c.opcintype, NULL))),
       format('OPERATOR CLASS %I.%I USING %s', c.nspname, c.opcname, c.am),
       NULL::text,
       NULL::text,
       pg_get_userbyid(c.opcowner)::text,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = c.oid AND d.classoid = 'pg_opclass'::regclass AND d.objsubid = 0),
       NULL::text[], NULL::text[], NULL::bool[]
FROM cls c
