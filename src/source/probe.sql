-- Before a catalog read: which server this is, how large its lock table is, and how many
-- relation locks the read will hold at once (source/locks.rs schedules the reads of one
-- server under a budget from these).
--
-- server: the postmaster's start time and port, the same however the server is reached
-- (host names, addresses, an ssh tunnel) and different for a replica or a restarted server.
--
-- lock_table: the shared lock table holds max_locks_per_transaction × (max_connections +
-- max_prepared_transactions) locks (a little more in fact: the server adds its own worker
-- slots, which this leaves out on purpose).
--
-- locks: the read holds one query's locks at a time (catalog/mod.rs, BEGIN); the most are the
-- relations query's: the catalogs it scans (37, under 80 for any query) and, since deparsing
-- a view locks every relation the view reads, each relation a user's view or rule reads.
--
-- version, server_version: what the server is (CockroachDB is read by its own reader) and its
-- version as reports show it, asked here so that a read costs no round trip of its own for them.
SELECT
    pg_catalog.version() AS version,
    pg_catalog.current_setting('server_version') AS server_version,
    pg_catalog.pg_postmaster_start_time()::text || ' port '
        || pg_catalog.current_setting('port') AS server,
    pg_catalog.current_setting('max_locks_per_transaction')::bigint
        * (pg_catalog.current_setting('max_connections')::bigint
           + pg_catalog.current_setting('max_prepared_transactions')::bigint) AS lock_table,
    80 + (
        -- Rules of user objects have OIDs from 16384 on (FirstNormalObjectId); the system
        -- views initdb creates have smaller ones.
        SELECT count(DISTINCT d.refobjid)
        FROM pg_catalog.pg_depend d
        WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          AND d.objid >= 16384
          AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    ) AS locks
