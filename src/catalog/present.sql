-- Which of the rarer kinds (catalog::defined) the database has at all: one row, a boolean per
-- query, named after it. Planning those queries is most of the time a small schema takes to
-- read, and most databases have none of most of them. Each condition holds whenever its query
-- could return a row (it may also hold when the query then returns none: an extension's
-- members), so a query left out is one with nothing to read. Objects users make have OIDs from
-- 16384 (FirstNormalObjectId); the server's own are below.
-- $1 text[]: unused (the kinds are read database-wide).
SELECT coalesce(cardinality($1::text[]), 0) >= 0
       AND EXISTS (SELECT FROM pg_rewrite r WHERE r.oid >= 16384 AND r.rulename <> '_RETURN') AS rules,
       EXISTS (SELECT FROM pg_statistic_ext) AS statistics,
       EXISTS (SELECT FROM pg_event_trigger) AS event_triggers,
       EXISTS (SELECT FROM pg_collation c WHERE c.oid >= 16384) AS collations,
       EXISTS (SELECT FROM pg_ts_config c WHERE c.oid >= 16384)
       OR EXISTS (SELECT FROM pg_ts_dict d WHERE d.oid >= 16384)
       OR EXISTS (SELECT FROM pg_ts_parser p WHERE p.oid >= 16384)
       OR EXISTS (SELECT FROM pg_ts_template t WHERE t.oid >= 16384) AS text_search,
       EXISTS (SELECT FROM pg_cast c WHERE c.oid >= 16384) AS casts,
       EXISTS (SELECT FROM pg_operator o WHERE o.oid >= 16384)
       OR EXISTS (SELECT FROM pg_opfamily f WHERE f.oid >= 16384)
       OR EXISTS (SELECT FROM pg_opclass c WHERE c.oid >= 16384) AS operators,
       EXISTS (SELECT FROM pg_conversion c WHERE c.oid >= 16384) AS conversions,
       EXISTS (SELECT FROM pg_language l WHERE l.oid >= 16384) AS languages,
       EXISTS (SELECT FROM pg_am a WHERE a.oid >= 16384) AS access_methods,
       -- As base_types.sql: base and shell types, not the array types PostgreSQL makes.
       EXISTS (SELECT FROM pg_type t
               WHERE t.oid >= 16384
                 AND (t.typtype = 'b' OR (t.typtype = 'p' AND NOT t.typisdefined))
                 AND NOT (t.typelem <> 0
                          AND (SELECT te.typarray FROM pg_type te WHERE te.oid = t.typelem) = t.oid))
           AS base_types,
       EXISTS (SELECT FROM pg_transform) AS transforms,
       -- A user mapping needs a server.
       EXISTS (SELECT FROM pg_foreign_data_wrapper w WHERE w.oid >= 16384)
       OR EXISTS (SELECT FROM pg_foreign_server s WHERE s.oid >= 16384) AS foreign_data,
       EXISTS (SELECT FROM pg_foreign_table) AS foreign_tables,
       EXISTS (SELECT FROM pg_publication) AS publications,
       EXISTS (SELECT FROM pg_subscription s
               WHERE s.subdbid = (SELECT d.oid FROM pg_database d
                                  WHERE d.datname = current_database())) AS subscriptions,
       EXISTS (SELECT FROM pg_default_acl) AS default_privileges
