-- Subscriptions of the current database, by name and publication list only. pg_subscription is
-- a shared catalog: its rows of other databases are left out. Only the columns every role may
-- read are read: never subconninfo, which holds passwords. So the definition is a comment that
-- shows the shape of the statement, and the plan cannot make a subscription (it drops one
-- without touching the publisher's replication slot).
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema (unused: subscriptions
-- are not in a schema).
SELECT 'subscription' AS kind,
       'pg_subscription'::regclass::oid AS classid,
       s.oid,
       NULL::text AS schema,
       NULL::text AS parent,
       s.subname::text AS name,
       format('-- CREATE SUBSCRIPTION %I CONNECTION ''...'' PUBLICATION %s;', s.subname,
              (SELECT string_agg(quote_ident(p), ', ' ORDER BY p COLLATE "C") FROM unnest(s.subpublications) AS p)) AS definition,
       format('SUBSCRIPTION %I', s.subname) AS target,
       format(E'ALTER SUBSCRIPTION %I DISABLE;\nALTER SUBSCRIPTION %I SET (slot_name = NONE);\nDROP SUBSCRIPTION %I;',
              s.subname, s.subname, s.subname) AS drop,
       'a subscription is made with its connection string, which pgdrift never reads (it can hold a password): create it by hand'
           AS unplannable,
       pg_get_userbyid(s.subowner)::text AS owner,
       -- COMMENT ON SUBSCRIPTION writes to the database's pg_description, not pg_shdescription.
       coalesce((SELECT d.description FROM pg_description d
                 WHERE d.objoid = s.oid AND d.classoid = 'pg_subscription'::regclass AND d.objsubid = 0),
                (SELECT d.description FROM pg_shdescription d
                 WHERE d.objoid = s.oid AND d.classoid = 'pg_subscription'::regclass)) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM (
    SELECT s.subname, s.subowner, s.subpublications,
           -- Readable by every role since PostgreSQL 14; before, 0: a subscription has no
           -- dependency edges for its OID to reach, but its comment is then not found.
           coalesce(
               s.oid,  -- since PostgreSQL 14
               0::oid) AS oid
    FROM pg_subscription s
    WHERE s.subdbid = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
) s
WHERE coalesce(cardinality($1::text[]), 0) >= 0
