-- Functions, procedures, aggregates and window functions in scope, except those that belong to
-- an extension and those PostgreSQL creates as part of another object (the constructors of a
-- range type: internal dependency). An aggregate's body is a canonical text built from
-- pg_aggregate, in CREATE AGGREGATE's words.
-- A line that ends in "-- since PostgreSQL N" is left out on older servers.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT p.oid,
       p.pronamespace AS schema_oid,
       p.proname::text AS name,
       oidvectortypes(p.proargtypes) AS argument_types,
       pg_get_userbyid(p.proowner)::text AS owner,
       d.description AS comment,
       p.prokind AS kind,
       pg_get_function_arguments(p.oid) AS arguments,
       coalesce(pg_get_function_result(p.oid), '') AS returns,
       l.lanname::text AS language,
       CASE
           WHEN p.prokind = 'a' THEN concat_ws(', ',
               CASE ag.aggkind WHEN 'h' THEN 'HYPOTHETICAL' END,
               'SFUNC = ' || ag.aggtransfn::regproc::text,
               'STYPE = ' || format_type(ag.aggtranstype, NULL),
               CASE WHEN ag.aggtransspace <> 0 THEN 'SSPACE = ' || ag.aggtransspace END,
               CASE WHEN ag.aggfinalfn <> 0 THEN 'FINALFUNC = ' || ag.aggfinalfn::regproc::text END,
               CASE WHEN ag.aggfinalextra THEN 'FINALFUNC_EXTRA' END,
               CASE WHEN ag.aggfinalfn <> 0 THEN 'FINALFUNC_MODIFY = ' ||
                   CASE ag.aggfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE'
                                          ELSE 'READ_WRITE' END END,
               CASE WHEN ag.aggcombinefn <> 0 THEN 'COMBINEFUNC = ' || ag.aggcombinefn::regproc::text END,
               CASE WHEN ag.aggserialfn <> 0 THEN 'SERIALFUNC = ' || ag.aggserialfn::regproc::text END,
               CASE WHEN ag.aggdeserialfn <> 0 THEN 'DESERIALFUNC = ' || ag.aggdeserialfn::regproc::text END,
               'INITCOND = ' || quote_literal(ag.agginitval),
               CASE WHEN ag.aggmtransfn <> 0 THEN 'MSFUNC = ' || ag.aggmtransfn::regproc::text END,
               CASE WHEN ag.aggminvtransfn <> 0 THEN 'MINVFUNC = ' || ag.aggminvtransfn::regproc::text END,
               CASE WHEN ag.aggmtransfn <> 0 THEN 'MSTYPE = ' || format_type(ag.aggmtranstype, NULL) END,
               CASE WHEN ag.aggmtransspace <> 0 THEN 'MSSPACE = ' || ag.aggmtransspace END,
               CASE WHEN ag.aggmfinalfn <> 0 THEN 'MFINALFUNC = ' || ag.aggmfinalfn::regproc::text END,
               CASE WHEN ag.aggmfinalextra THEN 'MFINALFUNC_EXTRA' END,
               CASE WHEN ag.aggmfinalfn <> 0 THEN 'MFINALFUNC_MODIFY = ' ||
                   CASE ag.aggmfinalmodify WHEN 'r' THEN 'READ_ONLY' WHEN 's' THEN 'SHAREABLE'
                                           ELSE 'READ_WRITE' END END,
               'MINITCOND = ' || quote_literal(ag.aggminitval),
               CASE WHEN ag.aggsortop <> 0 THEN 'SORTOP = ' || ag.aggsortop::regoperator::text END)
           WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) -- since PostgreSQL 14
           ELSE p.prosrc
       END AS body,
       p.provolatile AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proleakproof AS leakproof,
       p.proparallel AS parallel,
       p.procost AS cost,
       CASE WHEN p.proretset THEN p.prorows END AS rows,
       p.proconfig AS config,
       ARRAY(SELECT (SELECT x.extname::text FROM pg_extension x WHERE x.oid = d.refobjid)
             FROM pg_depend d
             WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'x'
               AND d.refclassid = 'pg_extension'::regclass
             ORDER BY 1) AS extensions
FROM pg_proc p
JOIN ns ON ns.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
LEFT JOIN pg_description d
       ON d.objoid = p.oid AND d.classoid = 'pg_proc'::regclass AND d.objsubid = 0
WHERE NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_proc'::regclass AND e.objid = p.oid AND e.deptype IN ('e', 'i'))
