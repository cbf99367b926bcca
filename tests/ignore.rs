//! Every ignore rule and rename on real databases: on, the difference vanishes; off, it is
//! reported with its rule.

mod common;

use pgdrift::cli::compare;
use pgdrift::evaluate::{Judge, Outcome};
use pgdrift::policy::{Date, Settings};

const BASE: &str = r#"
CREATE EXTENSION hstore;
CREATE TABLE customers (
    id int CONSTRAINT customers_pk PRIMARY KEY,
    email text,
    created_at timestamptz DEFAULT now()
);
CREATE INDEX customers_email_idx ON customers (email);
COMMENT ON TABLE customers IS 'people';
CREATE FUNCTION bump(x int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN
  RETURN x + 1;
END
$$;
GRANT SELECT ON customers TO ign_app;
"#;

/// (ignore rule, statement on the actual side, rules reported when the ignore rule is off)
const CASES: &[(&str, &str, &[&str])] = &[
    (
        "whitespace",
        "CREATE OR REPLACE FUNCTION bump(x int) RETURNS int LANGUAGE plpgsql AS $$\n\
         BEGIN\n        RETURN   x + 1;\nEND\n$$",
        &["function.definition"],
    ),
    (
        "comments",
        "CREATE OR REPLACE FUNCTION bump(x int) RETURNS int LANGUAGE plpgsql AS $$\n\
         BEGIN\n  -- one more\n  RETURN x + 1; /* always */\nEND\n$$",
        &["function.definition"],
    ),
    (
        "constraint_names",
        "ALTER TABLE customers RENAME CONSTRAINT customers_pk TO customers_pkey",
        &["constraint.name"],
    ),
    (
        "index_names",
        "ALTER INDEX customers_email_idx RENAME TO customers_by_email",
        &["index.name"],
    ),
    (
        "default_equivalence",
        "ALTER TABLE customers ALTER created_at SET DEFAULT CURRENT_TIMESTAMP",
        &["column.default"],
    ),
    (
        "column_order",
        "DROP TABLE customers; CREATE TABLE customers (email text, \
         id int CONSTRAINT customers_pk PRIMARY KEY, created_at timestamptz DEFAULT now()); \
         CREATE INDEX customers_email_idx ON customers (email); \
         COMMENT ON TABLE customers IS 'people'; GRANT SELECT ON customers TO ign_app",
        &["column.order"],
    ),
    (
        "owners",
        "ALTER TABLE customers OWNER TO ign_owner",
        &["owner.mismatch"],
    ),
    (
        "grants",
        "GRANT INSERT ON customers TO ign_app",
        &["grant.extra"],
    ),
    (
        "object_comments",
        "COMMENT ON TABLE customers IS 'persons'",
        &["comment.mismatch"],
    ),
    (
        "extension_versions",
        "DROP EXTENSION hstore; CREATE EXTENSION hstore VERSION '1.4'",
        &["extension.version"],
    ),
    (
        "tablespaces",
        "ALTER TABLE customers SET TABLESPACE ign_ts; \
         ALTER INDEX customers_email_idx SET TABLESPACE ign_ts",
        &["index.tablespace", "table.tablespace"],
    ),
];

fn rules_under(
    settings: &Settings,
    expected: &pgdrift::model::Schema,
    actual: &pgdrift::model::Schema,
) -> Vec<String> {
    let mut judge = Judge::new(settings, Date::today());
    let outcome = judge.check(compare(expected, actual, settings));
    let Outcome::Compared { findings, .. } = outcome else {
        panic!("compared")
    };
    let mut rules: Vec<String> = findings
        .into_iter()
        .map(|j| j.finding.rule.to_string())
        .collect();
    rules.sort();
    rules
}

#[tokio::test]
async fn each_ignore_rule_hides_when_on_and_reports_when_off() {
    common::ensure_roles(&["ign_app", "ign_owner"]).await;
    common::ensure_tablespace("ign_ts").await;
    let base = common::db_with("ign_base", BASE).await;
    let expected_db = common::db_from("ign_exp", &base).await;
    let expected = common::read_schema(&expected_db).await;
    let mut failures = Vec::new();
    for (rule, change, reported) in CASES {
        let actual_db = common::db_from("ign_case", &base).await;
        actual_db.exec(change).await;
        let actual = common::read_schema(&actual_db).await;
        for on in [true, false] {
            let mut settings = Settings::default();
            assert!(settings.ignore.set(rule, on));
            let got = rules_under(&settings, &expected, &actual);
            let want: Vec<String> = if on {
                vec![]
            } else {
                reported.iter().map(|r| r.to_string()).collect()
            };
            if got != want {
                failures.push(format!("{rule} = {on}: want {want:?}, got {got:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn renamed_roles_and_schemas_compare_equal() {
    common::ensure_roles(&["app_stage", "app_prod"]).await;
    let schema = |schema: &str, role: &str| {
        format!(
            "CREATE SCHEMA {schema};
             CREATE SEQUENCE {schema}.orders_id_seq;
             CREATE TABLE {schema}.orders (
                 id bigint DEFAULT nextval('{schema}.orders_id_seq'::regclass) PRIMARY KEY,
                 parent bigint REFERENCES {schema}.orders (id));
             CREATE VIEW {schema}.recent AS SELECT id FROM {schema}.orders WHERE id > 10;
             GRANT USAGE ON SCHEMA {schema} TO {role};
             GRANT SELECT ON {schema}.orders TO {role};"
        )
    };
    let expected_db = common::db_with("ren_exp", &schema("tenant_template", "app_stage")).await;
    let actual_db = common::db_with("ren_act", &schema("tenant_042", "app_prod")).await;
    let expected = common::read_schema(&expected_db).await;
    let actual = common::read_schema(&actual_db).await;

    let plain = rules_under(&Settings::default(), &expected, &actual);
    assert_eq!(plain, ["schema.extra", "schema.missing"]);

    let mut settings = Settings {
        rename_schemas: [("tenant_042".to_string(), "tenant_template".to_string())].into(),
        ..Settings::default()
    };
    assert_eq!(
        rules_under(&settings, &expected, &actual),
        [
            "grant.extra",
            "grant.extra",
            "grant.missing",
            "grant.missing"
        ],
        "with only the schema renamed, the roles still differ"
    );
    settings.rename_roles = [("app_prod".to_string(), "app_stage".to_string())].into();
    assert_eq!(
        rules_under(&settings, &expected, &actual),
        Vec::<String>::new()
    );
}
