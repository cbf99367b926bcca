-- Event triggers: event, tags (in the order written, as pg_dump prints them), function and enabled state (ALTER EVENT TRIGGER after the
-- CREATE when not the default). Database-wide: not in a schema.
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: event triggers
-- are not in a schema).
SELECT 'event_trigger' AS kind,
       'pg_event_trigger'::regclass::oid AS classid,
       t.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       t.evtname::text AS name,
       format('CREATE EVENT TRIGGER %I ON %I', t.evtname, t.evtevent)
           || coalesce(E'\n    WHEN TAG IN ('
                       || (SELECT string_agg(quote_literal(tag), ', ' ORDER BY i) FROM unnest(t.evttags) WITH ORDINALITY AS x (tag, i))
                       || ')', '')
           || E'\n    EXECUTE FUNCTION ' || t.evtfoid::regproc::text || '();'
           || CASE t.evtenabled
                  WHEN 'D' THEN E'\n' || format('ALTER EVENT TRIGGER %I DISABLE;', t.evtname)
                  WHEN 'R' THEN E'\n' || format('ALTER EVENT TRIGGER %I ENABLE REPLICA;', t.evtname)
                  WHEN 'A' THEN E'\n' || format('ALTER EVENT TRIGGER %I ENABLE ALWAYS;', t.evtname)
                  ELSE '' END AS definition,
       format('EVENT TRIGGER %I', t.evtname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(t.evtowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = t.oid AND d.classoid = 'pg_event_trigger'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_event_trigger t
WHERE coalesce(cardinality($1::text[]), 0) >= 0
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_event_trigger'::regclass AND e.objid = t.oid AND e.deptype = 'e')
