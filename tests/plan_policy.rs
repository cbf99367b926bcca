//! The policy decides what a plan fixes: what is ignored, filtered out or waived is not
//! planned; declared renames become ALTER ... RENAME (never guessed); destructive steps wait
//! for an explicit yes.

mod common;
mod plan_support;

use plan_support::{Case, round_trip_with, sql};

fn policy(toml: &str) -> pgdrift::policy::Settings {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("schema-policy.toml");
    let text = format!(
        "[targets.e]\nsql = \"e.sql\"\n[targets.a]\nsql = \"a.sql\"\n[[check]]\nexpected = \"e\"\nactual = \"a\"\n{toml}"
    );
    std::fs::write(&path, text).expect("write the policy");
    std::fs::write(dir.path().join("e.sql"), "").expect("e.sql");
    std::fs::write(dir.path().join("a.sql"), "").expect("a.sql");
    let env = |_: &str| None;
    pgdrift::policy::load(&path, &env)
        .unwrap_or_else(|e| panic!("policy: {e}"))
        .settings
}

#[tokio::test]
async fn declared_renames_keep_the_data() {
    // Constraint names compared, so the primary key follows the table's new name too.
    let settings = policy(
        "[ignore]\nconstraint_names = false\n[plan]\nrenames = { \"public.users\" = \"public.people\", \"public.people.user_name\" = \"public.people.username\" }\n",
    );
    let plan = round_trip_with(
        &Case::new(
            "renames",
            "CREATE TABLE users(id int PRIMARY KEY, user_name text); \
             CREATE VIEW names AS SELECT user_name FROM users;",
            "CREATE TABLE people(id int PRIMARY KEY, username text); \
             CREATE VIEW names AS SELECT username AS user_name FROM people;",
        )
        .data("INSERT INTO users VALUES (1, 'ada');"),
        &settings,
    )
    .await;
    let text = sql(&plan);
    assert!(
        text.contains("ALTER TABLE public.users RENAME TO people;"),
        "{text}"
    );
    assert!(
        text.contains("RENAME COLUMN user_name TO username;"),
        "{text}"
    );
    assert!(!text.contains("DROP TABLE"), "{text}");
}

#[tokio::test]
async fn a_waived_extra_index_keeps_its_index_and_ignored_rules_are_not_planned() {
    let settings = policy(
        "[ignore]\nobject_comments = true\n\
         [[waive]]\nrule = \"index.extra\"\nobject = \"public.t_hot_idx\"\nreason = \"DBA-42: hotfix index\"\n",
    );
    let actual = common::db_with(
        "waived_a",
        "CREATE TABLE t(id int, v int); CREATE INDEX t_hot_idx ON t(v); \
         COMMENT ON TABLE t IS 'old words';",
    )
    .await;
    let expected = common::db_with(
        "waived_e",
        "CREATE TABLE t(id int, v int, w int); COMMENT ON TABLE t IS 'new words';",
    )
    .await;
    let plan = plan_support::plan(&expected, &actual, &settings, false).await;
    let text = sql(&plan);
    assert!(text.contains("ADD COLUMN w integer"), "{text}");
    assert!(
        !text.contains("DROP INDEX"),
        "a waived index.extra is kept: {text}"
    );
    assert!(
        !text.contains("COMMENT ON"),
        "ignored comments are not planned: {text}"
    );
    assert!(plan.not_planned.is_empty(), "{:?}", plan.not_planned);
}

#[tokio::test]
async fn destructive_steps_wait_for_a_yes_and_are_listed() {
    let actual = common::db_with(
        "destructive_a",
        "CREATE TABLE t(id int, legacy text); CREATE TABLE gone(id int);",
    )
    .await;
    let expected = common::db_with("destructive_e", "CREATE TABLE t(id int);").await;
    let settings = pgdrift::policy::Settings::default();
    let plan = plan_support::plan(&expected, &actual, &settings, false).await;
    assert!(plan.steps.is_empty(), "{}", sql(&plan));
    let mut listed: Vec<String> = plan
        .not_planned
        .iter()
        .map(|n| format!("{} {}", n.rule, n.object))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        ["column.extra public.t.legacy", "table.extra public.gone"]
    );
    assert!(
        plan.not_planned
            .iter()
            .all(|n| n.reason.contains("--allow-destructive"))
    );
    // The policy can say yes too.
    let yes = policy("[plan]\nallow_destructive = true\n");
    let plan = plan_support::plan(&expected, &actual, &yes, false).await;
    let text = sql(&plan);
    assert!(
        text.contains("DROP TABLE public.gone;") && text.contains("DROP COLUMN legacy;"),
        "{text}"
    );
}
