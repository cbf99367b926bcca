//! Real production schemas (tests/corpus): loaded twice they compare equal; loaded once and
//! altered by a handful of statements they give exactly those findings.

mod common;

use pgdrift::diff::diff;

/// Load `sql` into a base database, compare a copy against a copy altered by `changes`.
async fn check_corpus(
    prefix: &str,
    sql: &str,
    changes: &str,
    compared: usize,
    want: &[(&str, &str)],
) {
    let base = common::db_with(prefix, sql).await;
    let expected_db = common::db_from(prefix, &base).await;
    let same_db = common::db_from(prefix, &base).await;
    let actual_db = common::db_from(prefix, &base).await;
    actual_db.exec(changes).await;

    let expected = common::read_schema(&expected_db).await;
    let started = std::time::Instant::now();
    let same = common::read_schema(&same_db).await;
    eprintln!("{prefix}: read in {:?}", started.elapsed());
    let clean = diff(&expected, &same);
    assert_eq!(
        common::rule_objects(&clean),
        vec![],
        "identical copies differ"
    );
    // Every object of the file (none depends on the server's version), and the optional
    // extension Sourcegraph's file installs only where the contrib package has it.
    let optional: i64 = expected_db
        .client()
        .await
        .query_one(
            "SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'",
            &[],
        )
        .await
        .expect("count extensions")
        .get(0);
    assert_eq!(
        clean.compared.len(),
        compared + optional as usize,
        "objects compared"
    );

    let got = common::rule_objects(&diff(&expected, &common::read_schema(&actual_db).await));
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(r, o)| (r.to_string(), o.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn sourcegraph() {
    let sql = format!(
        "SET app.current_tenant = '1';\n{}",
        common::corpus("sourcegraph-frontend.sql")
    );
    check_corpus(
        "sourcegraph",
        &sql,
        "ALTER TABLE repo ADD COLUMN hotfix_flag boolean;
         DROP INDEX repo_archived;
         ALTER TABLE users ALTER COLUMN display_name SET NOT NULL;
         DROP POLICY tenant_isolation_policy ON access_tokens;
         ALTER VIEW site_config RESET (security_invoker);",
        460,
        &[
            ("column.extra", "public.repo.hotfix_flag"),
            ("column.nullable", "public.users.display_name"),
            ("index.missing", "public.repo_archived"),
            (
                "policy.missing",
                "public.access_tokens.tenant_isolation_policy",
            ),
            ("view.definition", "public.site_config"),
        ],
    )
    .await;
}

#[tokio::test]
async fn danbooru() {
    check_corpus(
        "danbooru",
        &common::corpus("danbooru-structure.sql"),
        "ALTER TABLE posts ALTER COLUMN rating SET DEFAULT 'e';
         CREATE INDEX index_posts_on_hotfix ON posts (id) WHERE is_deleted;
         ALTER TABLE tag_aliases DROP CONSTRAINT fk_rails_0157a2fd88;
         GRANT SELECT ON tags TO PUBLIC;",
        137,
        &[
            ("column.default", "public.posts.rating"),
            (
                "constraint.missing",
                "public.tag_aliases.fk_rails_0157a2fd88",
            ),
            ("grant.extra", "public.tags"),
            ("index.extra", "public.index_posts_on_hotfix"),
        ],
    )
    .await;
}

/// Source locations on real schema files (pg_dump output): every column the server reports
/// points at the line inside its CREATE TABLE that declares it (or at the ALTER COLUMN that
/// changed it last), and every named constraint at
/// the line that names it, not at the first line of the statement around it.
#[tokio::test]
async fn every_column_and_constraint_of_the_corpus_points_at_its_own_line() {
    use pgdrift::model::{ObjectKind, ObjectPath, quote_ident};
    use pgdrift::source::locations::Locations;
    use pgdrift::sql::lexer::{ScriptItem, split_script};
    for (name, file, prelude) in [
        (
            "sourcegraph",
            "sourcegraph-frontend.sql",
            "SET app.current_tenant = '1';\n",
        ),
        ("danbooru", "danbooru-structure.sql", ""),
    ] {
        let text = common::corpus(file);
        let db =
            common::db_with(&format!("corpus_lines_{name}"), &format!("{prelude}{text}")).await;
        let schema = common::read_schema(&db).await;
        let mut locations = Locations::default();
        let mut search_path = "public".to_string();
        for item in split_script(&text) {
            if let ScriptItem::Statement(s) = item {
                locations.record(s.sql, std::path::Path::new(file), s.line, &mut search_path);
            }
        }
        let lines: Vec<&str> = text.lines().collect();
        let line_of = |key: &str| -> &str {
            let at = locations
                .get(key)
                .unwrap_or_else(|| panic!("{name}: no location for {key}"));
            lines[at.line - 1]
        };
        let (mut columns, mut constraints) = (0, 0);
        for (schema_name, contents) in &schema.schemas {
            for (table, t) in &contents.tables {
                for column in t.columns.keys() {
                    let key =
                        ObjectPath::child(ObjectKind::Column, schema_name, table, column).display();
                    // Its declaration, or the statement that last altered it (pg_dump sets
                    // serial defaults with a later ALTER COLUMN).
                    let line = line_of(&key);
                    let quoted = quote_ident(column);
                    assert!(
                        line.trim_start().starts_with(&format!("{quoted} "))
                            || line.contains(&format!("ALTER COLUMN {quoted} ")),
                        "{name}: {key} points at {line:?}"
                    );
                    columns += 1;
                }
                for constraint in t.constraints.keys() {
                    let key =
                        ObjectPath::child(ObjectKind::Constraint, schema_name, table, constraint)
                            .display();
                    let line = line_of(&key);
                    assert!(
                        line.contains(&format!("CONSTRAINT {} ", quote_ident(constraint))),
                        "{name}: {key} points at {line:?}"
                    );
                    constraints += 1;
                }
            }
        }
        assert!(
            columns > 600 && constraints > 100,
            "{name}: {columns} columns, {constraints} constraints"
        );
    }
}

/// Sourcegraph's dump as SQL files (`pgdrift diff URL FILE`, applied to a scratch database of
/// the throwaway cluster and read a moment later, never analyzed) against the same dump loaded
/// into a live database: no drift. Its seed rows need `app.current_tenant`, given as libpq's
/// clients take it (`PGOPTIONS`).
#[tokio::test]
async fn sourcegraph_as_sql_files_matches_it_loaded_live() {
    let live = common::db_with(
        "sourcegraph_live",
        &format!(
            "SET app.current_tenant = '1';\n{}",
            common::corpus("sourcegraph-frontend.sql")
        ),
    )
    .await;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/sourcegraph-frontend.sql");
    let url = live.url();
    let out = tokio::task::spawn_blocking(move || {
        common::pgdrift()
            .env("PGOPTIONS", "-c app.current_tenant=1")
            .args(["diff", &url, common::s(&file)])
            .output()
            .expect("runs")
    })
    .await
    .expect("joined");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("no drift"), "{stdout}");
}
