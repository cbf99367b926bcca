//! The catalog queries cannot fall off a cliff when the catalog statistics are wrong, and
//! wrong statistics never change what is read.
//!
//! A database copied from a template keeps the template's catalog statistics, and one built
//! by migrations a second ago has not been analyzed yet: the planner then believes
//! pg_attribute holds 3,000 rows where it holds 40,000, and picks plans whose cost grows with
//! the product of two catalog sizes. Each schema here is read in three states: analyzed, a
//! template copy (whatever statistics the freshly loaded original had), and with the
//! catalogs' statistics wiped (never analyzed: the planner's defaults). For every catalog
//! query, with pgdrift's own session settings, `EXPLAIN (ANALYZE, FORMAT JSON)` must show
//!
//! - no nested loop whose inner side is anything but an index lookup or a function call
//!   (a nested loop over a scan is the quadratic shape);
//! - no join inside a correlated subquery (run once per outer row, a join there rescans a
//!   catalog per row);
//! - rows examined (every node's rows returned and rows filtered out, times its loops) no more
//!   than a few times the rows of all catalogs together: linear work.
//!
//! And the three reads, plus one with hash and merge joins forbidden (other plans again), give
//! the same schema. Nothing here is timed: the benchmark measures time (`cargo bench --bench
//! scale`, the stale cases).

mod common;

use serde_json::Value;
use tokio_postgres::types::Type;

/// A `json` value as its text (EXPLAIN's result type).
struct JsonText(String);

impl<'a> tokio_postgres::types::FromSql<'a> for JsonText {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn std::error::Error + Sync + Send>> {
        Ok(JsonText(String::from_utf8(raw.to_vec())?))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::JSON
    }
}

/// Rows examined by one query may be this many times the rows of all catalogs together.
const LINEAR: f64 = 4.0;

/// The statistics state a database is read in.
#[derive(Debug, Clone, Copy)]
enum Statistics {
    Analyzed,
    TemplateCopy,
    Wiped,
}

/// Three copies of `base` (which nobody may be connected to), one per statistics state.
async fn copies(base: &common::TestDb) -> Vec<(Statistics, common::TestDb)> {
    let copy = common::db_from("plans_copy", base).await;
    let analyzed = common::db_from("plans_analyzed", base).await;
    analyzed.exec("VACUUM ANALYZE").await;
    // As if the catalogs had never been analyzed. A superuser may write the catalogs' rows.
    let wiped = common::db_from("plans_wiped", base).await;
    wiped
        .exec(
            "DELETE FROM pg_catalog.pg_statistic s USING pg_catalog.pg_class c
              WHERE c.oid = s.starelid AND c.relnamespace = 'pg_catalog'::regnamespace;
             UPDATE pg_catalog.pg_class SET reltuples = -1, relpages = 0
              WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r';",
        )
        .await;
    vec![
        (Statistics::Analyzed, analyzed),
        (Statistics::TemplateCopy, copy),
        (Statistics::Wiped, wiped),
    ]
}

/// Rows in all of the database's catalogs together.
async fn catalog_rows(client: &tokio_postgres::Client) -> f64 {
    let tables: Vec<String> = client
        .query(
            "SELECT relname::text FROM pg_catalog.pg_class
              WHERE relnamespace = 'pg_catalog'::regnamespace AND relkind = 'r'",
            &[],
        )
        .await
        .expect("listing the catalogs")
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut total = 0i64;
    for table in tables {
        let row = client
            .query_one(&format!("SELECT count(*) FROM pg_catalog.\"{table}\""), &[])
            .await
            .unwrap_or_else(|e| panic!("counting {table}: {e}"));
        total += row.get::<_, i64>(0);
    }
    total as f64
}

/// The numbers of the subplans the plan hashes (run once, looked up by hash): their joins run
/// once, not per row. `hashed SubPlan N` is how EXPLAIN names them inside an expression.
fn hashed_subplans(plan_text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = plan_text;
    while let Some(i) = rest.find("hashed SubPlan ") {
        rest = &rest[i + "hashed ".len()..];
        let digits: String = rest["SubPlan ".len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        out.push(format!("SubPlan {digits}"));
    }
    out
}

fn num(node: &Value, key: &str) -> f64 {
    node.get(key).and_then(Value::as_f64).unwrap_or(0.0)
}

/// The relation a plan reads whole (a sequential scan, possibly under a hash, a sort or a
/// materialization), if it does: the inner side of a nested loop must be index lookups and
/// function calls only (an aggregate over `aclexplode`, say).
fn whole_scan(node: &Value) -> Option<String> {
    if node["Node Type"] == "Seq Scan" {
        return Some(
            node.get("Relation Name")
                .and_then(Value::as_str)
                .unwrap_or("?")
                .to_string(),
        );
    }
    node["Plans"].as_array()?.iter().find_map(whole_scan)
}

/// What is wrong with a plan's shape, and the rows it examined.
fn inspect(
    node: &Value,
    correlated: Option<&str>,
    hashed: &[String],
    problems: &mut Vec<String>,
) -> f64 {
    let kind = node["Node Type"].as_str().unwrap_or("?");
    let loops = num(node, "Actual Loops");
    let mut examined = loops
        * (num(node, "Actual Rows")
            + num(node, "Rows Removed by Filter")
            + num(node, "Rows Removed by Join Filter"));
    let children = node["Plans"].as_array().cloned().unwrap_or_default();
    let is_join = matches!(kind, "Nested Loop" | "Hash Join" | "Merge Join");
    if let (Some(subplan), true) = (correlated, is_join) {
        problems.push(format!(
            "a {kind} inside {subplan}, which runs once per row of its query"
        ));
    }
    if kind == "Nested Loop" {
        for inner in children
            .iter()
            .filter(|c| c["Parent Relationship"] == "Inner")
        {
            if let Some(scanned) = whole_scan(inner) {
                problems.push(format!(
                    "a nested loop over a scan of {scanned} (run {} times)",
                    num(inner, "Actual Loops")
                ));
            }
        }
    }
    for child in &children {
        let name = child.get("Subplan Name").and_then(Value::as_str);
        let nested = match (child["Parent Relationship"].as_str(), name) {
            (Some("SubPlan"), Some(name)) if !hashed.iter().any(|h| h == name) => Some(name),
            _ => correlated,
        };
        examined += inspect(child, nested, hashed, problems);
    }
    examined
}

/// Check every catalog query's plan on one database; returns the findings.
async fn check_plans(db: &common::TestDb, state: Statistics, version: i32) -> Vec<String> {
    let client = db.client().await;
    let rows = catalog_rows(&client).await;
    client
        .batch_execute(pgdrift::catalog::BEGIN)
        .await
        .expect("pgdrift's session setup");
    let none: Option<Vec<String>> = None;
    let mut problems = Vec::new();
    for (kind, sql) in pgdrift::catalog::queries(version) {
        let explain = format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}");
        let row = client
            .query_typed(&explain, &[(&none, Type::TEXT_ARRAY)])
            .await
            .unwrap_or_else(|e| panic!("EXPLAIN of {kind}: {e}"));
        let text = row[0].get::<_, JsonText>(0).0;
        let plan: Value = serde_json::from_str(&text).expect("EXPLAIN's JSON");
        let hashed = hashed_subplans(&text);
        let mut found = Vec::new();
        let examined = inspect(&plan[0]["Plan"], None, &hashed, &mut found);
        if examined > LINEAR * rows {
            found.push(format!(
                "examined {examined} rows, more than {LINEAR}× the {rows} rows of all catalogs"
            ));
        }
        problems.extend(
            found
                .into_iter()
                .map(|p| format!("{kind}.sql on {} ({state:?}): {p}", db.name)),
        );
    }
    client.batch_execute("COMMIT").await.expect("COMMIT");
    problems
}

/// The schema read inside a transaction that forbids hash and merge joins (pgdrift's re-check
/// read keeps the caller's settings but turns nested loops off, so the planner has to choose
/// among disabled join methods: different plans again).
async fn read_with_other_joins(db: &common::TestDb) -> pgdrift::model::Schema {
    let client = db.client().await;
    client
        .batch_execute(
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; \
             SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off",
        )
        .await
        .expect("BEGIN");
    let schema =
        pgdrift::catalog::read_in_transaction(&client, &pgdrift::catalog::Scope::default())
            .await
            .unwrap_or_else(|e| panic!("reading {}: {e}", db.name));
    client.batch_execute("COMMIT").await.expect("COMMIT");
    schema
}

async fn check_schema(base: common::TestDb) {
    let version = common::server_version(&base).await;
    let copies = copies(&base).await;
    let mut problems = Vec::new();
    for (state, db) in &copies {
        problems.extend(check_plans(db, *state, version).await);
    }
    assert!(
        problems.is_empty(),
        "catalog plans that wrong statistics make quadratic:\n{}",
        problems.join("\n")
    );

    let (_, analyzed) = &copies[0];
    let want = common::read_schema(analyzed).await;
    let tables: usize = want.schemas.values().map(|n| n.tables.len()).sum();
    // A floor that makes the comparisons below mean something, not a count: this serves two
    // schemas, and every_kind loads what the server's version has.
    assert!(tables > 5, "only {tables} tables read");
    for (state, db) in &copies[1..] {
        let got = common::read_schema(db).await;
        assert!(got == want, "{state:?} statistics read another schema");
    }
    assert!(
        read_with_other_joins(&copies[2].1).await == want,
        "other join methods read another schema"
    );
}

#[tokio::test]
async fn corpus_schemas_plan_linearly_whatever_the_statistics() {
    // Two tenants' copies of a real schema (the shapes that hurt grow with the number of
    // schemas too), then a second real schema.
    let sourcegraph = common::corpus("sourcegraph-frontend.sql");
    let mut sql = String::from(
        "SET app.current_tenant = '1';
         CREATE EXTENSION citext SCHEMA public; CREATE EXTENSION hstore SCHEMA public;
         CREATE EXTENSION intarray SCHEMA public; CREATE EXTENSION pg_trgm SCHEMA public;
         CREATE EXTENSION pgcrypto SCHEMA public;\n",
    );
    for k in 1..=2 {
        sql.push_str(&format!(
            "CREATE SCHEMA s{k};\nSET search_path = s{k}, public;\n{}\nRESET search_path;\n",
            sourcegraph.replace("public.", &format!("s{k}."))
        ));
    }
    let base = common::db_with("plans_corpus", &sql).await;
    base.exec(&common::corpus("danbooru-structure.sql")).await;
    check_schema(base).await;
}

#[tokio::test]
async fn every_kind_plans_linearly_whatever_the_statistics() {
    let base = common::create_db("plans_every_kind").await;
    let version = common::server_version(&base).await;
    common::every_kind::load(&base, version).await;
    check_schema(base).await;
}
