-- Text search configurations (with their mappings: one ALTER ... ADD MAPPING per token type,
-- in token id order, its dictionaries in mapping order, token types named by the parser's
-- ts_token_type), dictionaries (template and options), parsers and templates, printed as
-- pg_dump does. Parsers and templates have no owner. Each correlated subquery reads one
-- catalog, or calls ts_token_type, without a join (names through nested lookups by OID).
-- The columns are those of every query of defined.rs.
-- $1 text[]: the schemas to read, or NULL for every non-system schema.
WITH ns AS (
    SELECT n.oid, n.nspname, n.nspowner, n.nspacl
    FROM pg_namespace n
    WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'pgdrift_backup')
      AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))
      AND NOT EXISTS (SELECT FROM pg_depend e
                      WHERE e.classid = 'pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
)
SELECT 'text_search_configuration' AS kind,
       'pg_ts_config'::regclass::oid AS classid,
       c.oid,
       ns.nspname::text AS schema,
       NULL::text AS parent,
       c.cfgname::text AS name,
       format(E'CREATE TEXT SEARCH CONFIGURATION %I.%I (\n    PARSER = %s );', ns.nspname, c.cfgname,
              (SELECT format('%I.%I', (SELECT pn.nspname FROM pg_namespace pn WHERE pn.oid = p.prsnamespace), p.prsname)
               FROM pg_ts_parser p
               WHERE p.oid = c.cfgparser))
           || coalesce((SELECT string_agg(format(E'\nALTER TEXT SEARCH CONFIGURATION %I.%I\n    ADD MAPPING FOR %s WITH %s;',
                                                 ns.nspname, c.cfgname,
                                                 coalesce((SELECT quote_ident(t.alias)
                                                           FROM ts_token_type(c.cfgparser) t
                                                           WHERE t.tokid = m.maptokentype),
                                                          m.maptokentype::text),
                                                 m.dicts),
                                          '' ORDER BY m.maptokentype)
                        FROM (SELECT m.maptokentype,
                                     string_agg(m.mapdict::regdictionary::text, ', ' ORDER BY m.mapseqno) AS dicts
                              FROM pg_ts_config_map m
                              WHERE m.mapcfg = c.oid
                              GROUP BY m.maptokentype) m), '') AS definition,
       format('TEXT SEARCH CONFIGURATION %I.%I', ns.nspname, c.cfgname) AS target,
       NULL::text AS drop,
       NULL::text AS unplannable,
       pg_get_userbyid(c.cfgowner)::text AS owner,
       (SELECT d.description FROM pg_description d
        WHERE d.objoid = c.oid AND d.classoid = 'pg_ts_config'::regclass AND d.objsubid = 0) AS comment,
       NULL::text[] AS grantees, NULL::text[] AS privileges, NULL::bool[] AS grantable
FROM pg_ts_config c
JOIN ns ON ns.oid = c.cfgnamespace
WHERE c.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_ts_config'::regclass AND e.objid = c.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text_search_dictionary',
       'pg_ts_dict'::regclass::oid,
       d.oid,
       ns.nspname::text,
       NULL::text,
       d.dictname::text,
       format(E'CREATE TEXT SEARCH DICTIONARY %I.%I (\n    TEMPLATE = %s%s );', ns.nspname, d.dictname,
              (SELECT format('%I.%I', (SELECT tn.nspname FROM pg_namespace tn WHERE tn.oid = t.tmplnamespace), t.tmplname)
               FROM pg_ts_template t
               WHERE t.oid = d.dicttemplate),
              E',\n    ' || d.dictinitoption),
       format('TEXT SEARCH DICTIONARY %I.%I', ns.nspname, d.dictname),
       NULL::text,
       NULL::text,
       pg_get_userbyid(d.dictowner)::text,
       (SELECT x.description FROM pg_description x
        WHERE x.objoid = d.oid AND x.classoid = 'pg_ts_dict'::regclass AND x.objsubid = 0),
       NULL::text[], NULL::text[], NULL::bool[]
FROM pg_ts_dict d
JOIN ns ON ns.oid = d.dictnamespace
WHERE d.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_ts_dict'::regclass AND e.objid = d.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text_search_parser',
       'pg_ts_parser'::regclass::oid,
       p.oid,
       ns.nspname::text,
       NULL::text,
       p.prsname::text,
       format(E'CREATE TEXT SEARCH PARSER %I.%I (\n    START = %s,\n    GETTOKEN = %s,\n    END = %s,%s\n    LEXTYPES = %s );',
              ns.nspname, p.prsname, p.prsstart::regproc, p.prstoken::regproc, p.prsend::regproc,
              CASE WHEN p.prsheadline <> 0 THEN E'\n    HEADLINE = ' || p.prsheadline::regproc::text || ',' ELSE '' END,
              p.prslextype::regproc),
       format('TEXT SEARCH PARSER %I.%I', ns.nspname, p.prsname),
       NULL::text,
       NULL::text,
       NULL::text,
       (SELECT x.description FROM pg_description x
        WHERE x.objoid = p.oid AND x.classoid = 'pg_ts_parser'::regclass AND x.objsubid = 0),
       NULL::text[], NULL::text[], NULL::bool[]
FROM pg_ts_parser p
JOIN ns ON ns.oid = p.prsnamespace
WHERE p.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_ts_parser'::regclass AND e.objid = p.oid AND e.deptype = 'e')
UNION ALL
SELECT 'text_search_template',
       'pg_ts_template'::regclass::oid,
       t.oid,
       ns.nspname::text,
       NULL::text,
       t.tmplname::text,
       format(E'CREATE TEXT SEARCH TEMPLATE %I.%I (%s\n    LEXIZE = %s );', ns.nspname, t.tmplname,
              CASE WHEN t.tmplinit <> 0 THEN E'\n    INIT = ' || t.tmplinit::regproc::text || ',' ELSE '' END,
              t.tmpllexize::regproc),
       format('TEXT SEARCH TEMPLATE %I.%I', ns.nspname, t.tmplname),
       NULL::text,
       NULL::text,
       NULL::text,
       (SELECT x.description FROM pg_description x
        WHERE x.objoid = t.oid AND x.classoid = 'pg_ts_template'::regclass AND x.objsubid = 0),
       NULL::text[], NULL::text[], NULL::bool[]
FROM pg_ts_template t
JOIN ns ON ns.oid = t.tmplnamespace
WHERE t.oid >= 16384
  AND NOT EXISTS (SELECT FROM pg_depend e
                  WHERE e.classid = 'pg_ts_template'::regclass AND e.objid = t.oid AND e.deptype = 'e')
