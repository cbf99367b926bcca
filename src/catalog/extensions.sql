-- Installed extensions. With a schema list, only those installed into one of the schemas.
-- $1 text[]: the schemas to read, or NULL for every schema.
SELECT x.oid,
       x.extname::text AS name,
       x.extversion AS version,
       n.nspname::text AS schema,
       d.description AS comment
FROM pg_extension x
JOIN pg_namespace n ON n.oid = x.extnamespace
LEFT JOIN pg_description d
       ON d.objoid = x.oid AND d.classoid = 'pg_extension'::regclass AND d.objsubid = 0
WHERE $1::text[] IS NULL OR n.nspname = ANY ($1::text[])
