//! `pgdrift history` as a timeline: a history of 34 versions taken from a real server while a
//! real application's schema (the danbooru corpus) goes through a sequence of migrations; the
//! JSON for scripts, its date filters, and the page that shows it, opened in headless Chromium.

mod common;
mod report_support;

use common::{run, s};
use std::collections::BTreeSet;
use std::path::Path;

use pgdrift::snapshot::{self, Snapshot};
use report_support as support;
use serde_json::Value;

/// Migrations of the kinds a team ships: tables, retyped columns, indexes, functions, views,
/// grants, types, comments, constraints, drops. One version per migration.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE public.post_embeddings (id bigserial PRIMARY KEY, post_id integer NOT NULL \
     REFERENCES public.posts (id), model text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())",
    "CREATE INDEX index_post_embeddings_on_post_id ON public.post_embeddings (post_id)",
    "ALTER TABLE public.users ADD COLUMN display_locale text",
    "ALTER TABLE public.posts ALTER COLUMN up_score TYPE bigint",
    "CREATE OR REPLACE FUNCTION public.array_initials(text[]) RETURNS text LANGUAGE sql \
     IMMUTABLE PARALLEL SAFE AS $_$\n  SELECT string_agg(upper(left(string, 1)), '' ORDER BY \
     ordinality)\n  FROM unnest($1) WITH ORDINALITY AS string;\n$_$",
    "GRANT SELECT ON public.posts TO hist_reader",
    "GRANT SELECT ON public.users TO hist_reader",
    "CREATE TABLE public.audit_log (id bigserial PRIMARY KEY, actor_id integer REFERENCES \
     public.users (id), action text NOT NULL, detail text, created_at timestamptz NOT NULL DEFAULT now())",
    "COMMENT ON TABLE public.posts IS 'uploaded posts'",
    "ALTER TABLE public.users ALTER COLUMN display_locale SET DEFAULT 'UTC'",
    "CREATE INDEX index_users_on_display_locale ON public.users (display_locale)",
    "ALTER TABLE public.post_embeddings ADD COLUMN dims integer NOT NULL DEFAULT 512",
    "CREATE FUNCTION public.post_score(up bigint, down integer) RETURNS bigint LANGUAGE sql \
     IMMUTABLE AS $$\n  SELECT up - down\n$$",
    "CREATE VIEW public.active_users AS SELECT id, name FROM public.users WHERE level > 10",
    "REVOKE SELECT ON public.users FROM hist_reader",
    "ALTER TABLE public.audit_log ALTER COLUMN detail TYPE jsonb USING detail::jsonb",
    "DROP INDEX public.index_users_on_display_locale",
    "CREATE OR REPLACE VIEW public.active_users AS SELECT id, name, level FROM public.users \
     WHERE level > 20",
    "ALTER TABLE public.post_embeddings ALTER COLUMN model TYPE varchar(64)",
    "CREATE SEQUENCE public.audit_batch_seq",
    "ALTER TABLE public.audit_log ADD CONSTRAINT audit_log_action_check CHECK (action <> '')",
    "CREATE OR REPLACE FUNCTION public.post_score(up bigint, down integer) RETURNS bigint \
     LANGUAGE sql IMMUTABLE AS $$\n  SELECT greatest(up - down, 0)\n$$",
    "CREATE TABLE public.post_embedding_jobs (id bigserial PRIMARY KEY, post_id integer NOT NULL)",
    "DROP TABLE public.post_embedding_jobs",
    "CREATE INDEX index_audit_log_on_created_at ON public.audit_log (created_at)",
    "GRANT SELECT, INSERT ON public.audit_log TO hist_reader",
    "ALTER TABLE public.users DROP COLUMN display_locale",
    "CREATE TYPE public.embedding_status AS ENUM ('queued', 'done')",
    "ALTER TABLE public.post_embeddings ADD COLUMN status public.embedding_status NOT NULL \
     DEFAULT 'queued'",
    "ALTER TYPE public.embedding_status ADD VALUE 'failed'",
    "COMMENT ON COLUMN public.post_embeddings.model IS 'embedding model name'",
    "ALTER TABLE public.posts ALTER COLUMN up_score TYPE integer",
];

/// The last migration, captured by `pgdrift snapshot --history` itself.
const LAST: &str = "CREATE INDEX index_post_embeddings_on_model ON public.post_embeddings (model)";

/// Versions in the history: the corpus as loaded, one per migration, and the CLI's capture.
const VERSIONS: usize = MIGRATIONS.len() + 2;

/// The capture time of version `i` (0-based): one a day from 2026-01-01.
fn day(i: usize) -> String {
    let (month, d) = if i < 31 { (1, i + 1) } else { (2, i - 30) };
    format!("2026-{month:02}-{d:02}T09:30:00Z")
}

/// Build the history in `dir` from a real server: the danbooru schema, a snapshot read after
/// each migration (stamped a day apart, so the test does not wait for the clock), and the
/// last one taken by `pgdrift snapshot --history`, stamped now.
async fn build_history(dir: &Path) {
    common::ensure_roles(&["hist_reader"]).await;
    let db = common::db_with("hist_corpus", &common::corpus("danbooru-structure.sql")).await;
    let version = common::show(&db, "server_version").await;
    for i in 0..=MIGRATIONS.len() {
        if i > 0 {
            db.exec(MIGRATIONS[i - 1]).await;
        }
        let schema = common::read_schema(&db).await;
        let snap = Snapshot::new(schema, Some(version.clone()), Some(day(i)));
        let stored = snapshot::store(dir, &snap, &snapshot::stamp_of(&day(i))).expect("store");
        assert!(stored.is_some(), "migration {i} changed nothing");
    }
    db.exec(LAST).await;
    let (code, _, err) = run(&["snapshot", "--url", &db.url(), "--history", s(dir)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("stored"), "{err}");
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"))
}

fn change_keys(changes: &Value) -> BTreeSet<(String, String)> {
    changes
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| {
            (
                c["change"].as_str().expect("change").to_string(),
                c["object"].as_str().expect("object").to_string(),
            )
        })
        .collect()
}

fn has_change(v: &Value, rule: &str, object: &str) -> bool {
    v["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .any(|c| c["rule"] == rule && c["object"] == object)
}

/// The embedded timeline of a history page.
fn embedded(page: &str) -> Value {
    let open = "<script type=\"application/json\" id=\"timeline-data\">";
    let start = page.find(open).expect("embedded data") + open.len();
    let len = page[start..].find("</script>").expect("end of data");
    serde_json::from_str(&page[start..start + len]).expect("embedded JSON")
}

#[tokio::test]
async fn a_real_history_as_json_and_as_a_page() {
    let dir = tempfile::tempdir().expect("tempdir");
    let history = dir.path().join("history");
    build_history(&history).await;
    let h = s(&history);

    // ---- JSON ----
    let t = json(&["history", h, "--json"]);
    assert_eq!(t["format_version"], 1);
    let versions = t["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), VERSIONS);
    for (i, v) in versions.iter().enumerate() {
        assert_eq!(v["number"], i + 1);
        assert!(v["server_version"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(v["captured_at"].as_str().is_some(), "{v}");
        // The counts are the changes counted, and every migration changed something.
        let counted: u64 = v["counts"]
            .as_object()
            .expect("counts")
            .values()
            .map(|c| {
                c["added"].as_u64().unwrap_or(0)
                    + c["removed"].as_u64().unwrap_or(0)
                    + c["changed"].as_u64().unwrap_or(0)
            })
            .sum();
        assert_eq!(
            counted as usize,
            v["changes"].as_array().expect("changes").len()
        );
        if i > 0 {
            assert_eq!(v["previous"], i);
            assert!(counted > 0, "version {} shows no change", i + 1);
        }
    }
    assert_eq!(versions[0]["previous"], Value::Null);
    assert_eq!(versions[0]["size"]["tables"], 66);
    assert_eq!(versions[1]["size"]["tables"], 67);
    assert_eq!(versions[1]["counts"]["table"]["added"], 1);
    assert!(has_change(
        &versions[1],
        "table.extra",
        "public.post_embeddings"
    ));
    let retype = versions[4]["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["rule"] == "column.type" && c["object"] == "public.posts.up_score")
        .unwrap_or_else(|| panic!("{}", versions[4]));
    assert_eq!(retype["before"], "integer");
    assert_eq!(retype["after"], "bigint");
    assert_eq!(retype["change"], "changed");
    assert!(has_change(
        &versions[5],
        "function.definition",
        "public.array_initials(text[])"
    ));
    assert_eq!(
        versions[6]["counts"]["grant"]["added"], 1,
        "{}",
        versions[6]
    );
    assert_eq!(
        versions[15]["counts"]["grant"]["removed"], 1,
        "{}",
        versions[15]
    );
    assert!(has_change(
        &versions[24],
        "table.missing",
        "public.post_embedding_jobs"
    ));
    assert!(
        has_change(
            &versions[33],
            "index.extra",
            "public.index_post_embeddings_on_model"
        ),
        "{}",
        versions[33]
    );
    // Most changed: post_embeddings (created, two indexes, two columns, a retype, a comment:
    // seven versions) ties with users and wins by the later last change.
    assert_eq!(
        t["most_changed"][0]["object"], "public.post_embeddings",
        "{}",
        t["most_changed"]
    );
    assert_eq!(t["most_changed"][0]["versions"], 7);
    assert_eq!(t["most_changed"][1]["object"], "public.users");

    // --since / --until: inclusive dates; the first shown version counts from the one before.
    let part = json(&[
        "history",
        h,
        "--json",
        "--since",
        "2026-01-10",
        "--until",
        "2026-01-20",
    ]);
    let numbers: Vec<u64> = part["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["number"].as_u64().expect("number"))
        .collect();
    assert_eq!(numbers, (10..=20).collect::<Vec<u64>>());
    assert_eq!(part["versions"][0]["previous"], 9);
    assert_eq!(
        part["versions"][0], versions[9],
        "a filter does not change a version"
    );
    let (code, _, err) = run(&["history", h, "--json", "--until", "2026-13-01"]);
    assert_eq!(code, 2);
    assert!(err.contains("--until takes a date"), "{err}");
    let (code, _, err) = run(&["history", h, "--json", "--compare", "1", "99"]);
    assert_eq!(code, 2);
    assert!(err.contains("no version 99"), "{err}");
    let (code, _, err) = run(&["history", h, "--compare", "1", "2"]);
    assert_eq!(code, 2);
    assert!(err.contains("--compare adds a comparison"), "{err}");
    // The text listing is unchanged by all this.
    let (code, out, err) = run(&["history", h]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), VERSIONS);

    // ---- the page ----
    let page_path = dir.path().join("history.html");
    let t = json(&[
        "history",
        h,
        "--json",
        "--compare",
        "3",
        "20",
        "--html",
        s(&page_path),
    ]);
    let page = std::fs::read_to_string(&page_path).expect("page written");
    assert_eq!(embedded(&page), t, "the page embeds exactly the JSON");
    let direct = &t["comparisons"][0];
    assert_eq!(
        (direct["from"].as_u64(), direct["to"].as_u64()),
        (Some(3), Some(20))
    );
    history_page_valid(&page);
    // The map of changed tables: each links to the last version that changed it.
    let tables = t["changed_tables"].as_array().expect("changed tables");
    assert!(
        tables
            .iter()
            .any(|c| c["object"] == "public.post_embeddings")
    );
    assert!(page.contains(
        "<a href=\"#v=34\"><g class=\"node changed heat3\" data-name=\"public.post_embeddings\""
    ));
    assert!(
        t["foreign_keys"]
            .as_array()
            .expect("foreign keys")
            .iter()
            .any(|fk| fk["from"] == "public.post_embeddings" && fk["to"] == "public.posts"),
        "{}",
        t["foreign_keys"]
    );

    // Every version in the timeline, no console error, nothing fetched.
    let fetched = net_log_of(&page_path, dir.path());
    assert!(fetched.is_empty(), "the page fetched {fetched:?}");
    let loaded = support::load_in_chromium(&page_path, "");
    assert!(loaded.dom.contains("data-ready=\"1\""), "{}", loaded.log);
    let errors = support::console_errors(&loaded.log);
    assert!(errors.is_empty(), "console errors:\n{}", errors.join("\n"));
    assert_eq!(loaded.dom.matches("<tr class=\"version").count(), VERSIONS);
    assert!(
        loaded
            .dom
            .contains(&format!("data-versions=\"{VERSIONS}\""))
    );
    for n in 1..=VERSIONS {
        assert!(
            loaded.dom.contains(&format!("id=\"v{n}\"")),
            "version {n} missing"
        );
    }
    // By default the latest version's changes are shown.
    assert!(loaded.dom.contains("index_post_embeddings_on_model"));

    // Picking two versions: the pair given to --compare is the direct comparison.
    let picked = support::load_in_chromium(&page_path, "#compare=3-20");
    assert!(picked.dom.contains("data-how=\"direct\""), "{}", picked.log);
    let shown = compared_in_dom(&picked.dom);
    assert_eq!(shown, change_keys(&direct["changes"]));
    assert!(!shown.is_empty());
    // Any other pair is composed in the page from the steps between; it must say what a
    // direct comparison says (checked against one here).
    let exact = json(&["history", h, "--json", "--compare", "2", "26"]);
    let composed = support::load_in_chromium(&page_path, "#compare=2-26");
    assert!(
        composed.dom.contains("data-how=\"composed\""),
        "{}",
        composed.log
    );
    assert_eq!(
        compared_in_dom(&composed.dom),
        change_keys(&exact["comparisons"][0]["changes"])
    );
    // A version's own changes with the definitions side by side, line by line.
    let v6 = support::load_in_chromium(&page_path, "#v=6");
    assert!(v6.dom.contains("Version 6: changes since version 5"));
    assert!(v6.dom.contains("upper(left(string, 1))"));
    assert!(v6.dom.contains("class=\"del\"") && v6.dom.contains("class=\"ins\""));

    // Two widths: no horizontal overflow, the timeline laid out within the width and starting
    // on the first screen, a screenshot of that size.
    for (width, height) in [(1280, 900), (390, 844)] {
        let size = format!("--window-size={width},{height}");
        let at = support::load_in_chromium_with(&page_path, "", std::slice::from_ref(&size));
        assert!(
            at.dom.contains("data-overflow=\"0\""),
            "overflow at {width}px"
        );
        assert!(
            at.dom.contains("data-timeline-visible=\"1\""),
            "timeline at {width}px"
        );
        let shot = dir.path().join(format!("history-{width}.png"));
        support::load_in_chromium_with(
            &page_path,
            "",
            &[size, format!("--screenshot={}", shot.display())],
        );
        let png = std::fs::read(&shot).expect("screenshot written");
        assert_eq!(&png[1..4], b"PNG");
        let dim = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().expect("4 bytes"));
        assert_eq!((dim(16), dim(20)), (width, height));
        assert!(png.len() > 20_000, "a nearly blank screenshot at {width}px");
    }
}

/// The (change, object) pairs shown in the comparison section of a dumped DOM.
fn compared_in_dom(dom: &str) -> BTreeSet<(String, String)> {
    let start = dom
        .find("id=\"compare-changes\"")
        .expect("comparison section");
    let end = start + dom[start..].find("</section>").expect("end of section");
    let attr = |tag: &str, name: &str| {
        let key = format!("{name}=\"");
        let at = tag.find(&key)? + key.len();
        let len = tag[at..].find('"')?;
        Some(unescape(&tag[at..at + len]))
    };
    dom[start..end]
        .split("<div class=\"change\"")
        .skip(1)
        .map(|tag| {
            let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
            (
                attr(tag, "data-change").expect("data-change"),
                attr(tag, "data-object").expect("data-object"),
            )
        })
        .collect()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The page's own elements only, its two scripts (the data and the code), and nothing that
/// names the network.
fn history_page_valid(page: &str) {
    assert_eq!(page.matches("<script").count(), 2, "the data and the code");
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    for external in ["http://", "https://", "@import", " src=", "href=\"/"] {
        assert!(!page.contains(external), "`{external}` in the page");
    }
    for reference in page.split("url(").skip(1) {
        assert!(reference.starts_with('#'), "url( to outside the page");
    }
    // Links only within the page.
    for link in page.split(" href=\"").skip(1) {
        assert!(
            link.starts_with('#'),
            "a link out of the page: {}",
            &link[..link.len().min(40)]
        );
    }
}

/// The requests a page made, from Chromium's network log of its load: those keyed to the page's
/// site (`file://`), leaving out the browser's own (update checks, clock, accounts), which are
/// keyed to no site or to the service's. The page file itself is not a request.
fn page_requests(net_log: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(net_log).expect("net log");
    let log: Value = serde_json::from_str(&text).unwrap_or_else(|_| {
        // The log is closed as the browser exits; a missing final bracket is no request.
        serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(',')))
            .expect("net log JSON")
    });
    let mut urls: Vec<String> = log["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter(|e| {
            e["params"]["network_isolation_key"]
                .as_str()
                .is_some_and(|k| k.starts_with("file://"))
        })
        .filter_map(|e| e["params"]["url"].as_str())
        .filter(|u| !u.starts_with("file://"))
        .map(str::to_string)
        .collect();
    urls.dedup();
    urls
}

fn net_log_of(page: &Path, dir: &Path) -> Vec<String> {
    let net_log = dir.join("net-log.json");
    let loaded =
        support::load_in_chromium_with(page, "", &[format!("--log-net-log={}", net_log.display())]);
    assert!(loaded.dom.contains("</html>"));
    page_requests(&net_log)
}

#[test]
fn the_network_check_sees_what_a_page_fetches() {
    // The control for `page_requests`: a page without the CSP that loads an image and fetches.
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("page.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><img src=\"http://example.invalid/x.png\">\
         <script>fetch(\"https://example.invalid/y\")</script></body></html>",
    )
    .expect("write");
    let seen = net_log_of(&page, dir.path());
    assert!(
        seen.contains(&"http://example.invalid/x.png".to_string()),
        "{seen:?}"
    );
    assert!(
        seen.contains(&"https://example.invalid/y".to_string()),
        "{seen:?}"
    );
}

#[test]
fn hostile_names_stay_text_in_the_history_page() {
    use pgdrift::history::Builder;
    use pgdrift::model::Schema;
    let names = [
        "</script><b data-pwned=\"1\">x</b>",
        "<img src=x onerror=\"document.body.dataset.pwned=1\">",
        "t\u{202e}gnp.exe",
    ];
    let mut schema = Schema::default();
    schema.schemas.entry("app".into()).or_default().owner = "app".into();
    let mut builder = Builder::new(vec![(1, 3)]);
    for (i, name) in std::iter::once(None)
        .chain(names.iter().map(Some))
        .enumerate()
    {
        if let Some(name) = name {
            let ns = schema.schemas.get_mut("app").expect("app");
            ns.tables.insert((*name).to_string(), Default::default());
        }
        let at = day(i);
        builder.push(
            i + 1,
            &snapshot::stamp_of(&at),
            true,
            Snapshot::new(schema.clone(), None, Some(at)),
        );
    }
    let timeline = builder.finish();
    let page = pgdrift::report::history::render(&timeline);
    assert!(
        !page.contains("</script><b"),
        "a name closed the data element"
    );
    let json: Value = serde_json::from_str(&timeline.to_json()).expect("json");
    assert_eq!(embedded(&page), json);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("history.html");
    std::fs::write(&path, &page).expect("write");
    for fragment in ["", "#compare=1-4", "#v=2&find=script"] {
        let loaded = support::load_in_chromium(&path, fragment);
        assert!(loaded.dom.contains("data-ready=\"1\""), "{}", loaded.log);
        assert!(
            support::console_errors(&loaded.log).is_empty(),
            "{}",
            loaded.log
        );
        // Names are text: no element made from one, and the handler never ran.
        assert!(
            !loaded.dom.contains("<img") && !loaded.dom.contains("<b "),
            "a name became markup ({fragment})"
        );
        let body = loaded
            .dom
            .split("<body")
            .nth(1)
            .and_then(|b| b.split('>').next());
        assert!(
            !body.expect("body").contains("pwned"),
            "a handler ran ({fragment})"
        );
        assert_eq!(loaded.dom.matches("<script").count(), 2);
    }
    // The composed comparison of versions 1 to 4 names all three tables, as text.
    let all = support::load_in_chromium(&path, "#compare=1-4");
    assert_eq!(compared_in_dom(&all.dom).len(), 3);
    assert!(all.dom.contains("&lt;/script&gt;&lt;b data-pwned"));
}

/// A small history made by hand: customers, then orders referencing them, a retyped column, an
/// index, the index redefined over two lines.
fn small_timeline() -> pgdrift::history::Timeline {
    use pgdrift::model::{
        Column, Constraint, ConstraintKind, Index, ObjectKind, ObjectPath, Schema, Table,
    };
    let column = |position: u32, data_type: &str| {
        Box::new(Column {
            position,
            data_type: data_type.into(),
            ..Default::default()
        })
    };
    let mut schema = Schema::default();
    schema.schemas.entry("shop".into()).or_default().owner = "shop".into();
    let mut builder = pgdrift::history::Builder::new(vec![(1, 4)]);
    let mut push = |n: usize, schema: &Schema| {
        let at = day(n - 1);
        builder.push(
            n,
            &snapshot::stamp_of(&at),
            true,
            Snapshot::new(schema.clone(), Some("17.2".into()), Some(at)),
        );
    };
    let mut customers = Table {
        owner: "shop".into(),
        ..Default::default()
    };
    customers.columns.insert("id".into(), column(1, "integer"));
    let ns = schema.schemas.get_mut("shop").expect("shop");
    ns.tables.insert("customers".into(), customers);
    push(1, &schema);
    let mut orders = Table {
        owner: "shop".into(),
        ..Default::default()
    };
    orders.columns.insert("id".into(), column(1, "integer"));
    orders
        .columns
        .insert("customer_id".into(), column(2, "integer"));
    orders.constraints.insert(
        "orders_customer_id_fkey".into(),
        Constraint {
            kind: ConstraintKind::ForeignKey,
            definition: "FOREIGN KEY (customer_id) REFERENCES shop.customers(id)".into(),
            comment: None,
        },
    );
    let ns = schema.schemas.get_mut("shop").expect("shop");
    ns.tables.insert("orders".into(), orders);
    // As the server records it (pg_depend): the foreign key needs the referenced column.
    schema.dependencies.push(pgdrift::model::Dependency {
        from: ObjectPath::child(
            ObjectKind::Constraint,
            "shop",
            "orders",
            "orders_customer_id_fkey",
        ),
        to: ObjectPath::child(ObjectKind::Column, "shop", "customers", "id"),
        auto: false,
    });
    push(2, &schema);
    let ns = schema.schemas.get_mut("shop").expect("shop");
    let orders = ns.tables.get_mut("orders").expect("orders");
    orders.columns.get_mut("id").expect("id").data_type = "bigint".into();
    orders.indexes.insert(
        "orders_customer_idx".into(),
        Index {
            definition: "CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer_id)"
                .into(),
            ..Default::default()
        },
    );
    push(3, &schema);
    let ns = schema.schemas.get_mut("shop").expect("shop");
    let orders = ns.tables.get_mut("orders").expect("orders");
    orders.indexes.get_mut("orders_customer_idx").expect("index").definition =
        "CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer_id)\n  WHERE (id > 0)"
            .into();
    push(4, &schema);
    builder.finish()
}

#[test]
fn the_timeline_and_its_page_match_their_golden_files() {
    let timeline = small_timeline();
    let json = timeline.to_json();
    support::assert_golden("history.json", &json);
    let page = pgdrift::report::history::render(&timeline);
    support::assert_golden("history.html", &page);
    history_page_valid(&page);
    assert_eq!(
        embedded(&page),
        serde_json::from_str::<Value>(&json).expect("json")
    );
}
