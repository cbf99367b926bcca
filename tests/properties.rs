//! Property tests of the parsers that take user input: the SQL lexer and statement splitter,
//! the policy parser, the snapshot loader and connection strings. Random and mutated inputs
//! never panic; what should round-trip does; errors point inside the input and never repeat a
//! password. 2,000 cases per property by default; `PROPTEST_CASES=100000` runs more.

mod common;

use std::path::Path;

use pgdrift::policy;
use pgdrift::snapshot::Snapshot;
use pgdrift::source::conninfo::ConnInfo;
use pgdrift::sql::lexer::{ScriptItem, split_script, tokenize};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000);
    ProptestConfig {
        cases,
        // Failures are reported with their minimal input; nothing is written next to the tests.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Pieces SQL is made of, the tricky ones many times over: quotes of every kind, dollar
/// quotes, comments (nested), semicolons, BEGIN ATOMIC bodies, psql meta-commands.
fn sql_fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("'".to_string()),
        Just("''".to_string()),
        Just("E'\\''".to_string()),
        Just("U&'d\\0061t'".to_string()),
        Just("\"".to_string()),
        Just("\"a\"\"b\"".to_string()),
        Just("$$".to_string()),
        Just("$a$".to_string()),
        Just("$1".to_string()),
        Just("--".to_string()),
        Just("/*".to_string()),
        Just("*/".to_string()),
        Just(";".to_string()),
        Just("\n".to_string()),
        Just(" ".to_string()),
        Just("\\".to_string()),
        Just("\\restrict k\n".to_string()),
        Just("BEGIN ATOMIC".to_string()),
        Just("CASE".to_string()),
        Just("END".to_string()),
        Just("CREATE FUNCTION f() RETURNS int LANGUAGE sql".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just("::".to_string()),
        Just("é".to_string()),
        "[a-z_]{1,8}",
        "[0-9.e+-]{1,6}",
        any::<char>().prop_map(String::from),
    ]
}

fn sql_text() -> impl Strategy<Value = String> {
    prop::collection::vec(sql_fragment(), 0..40).prop_map(|parts| parts.concat())
}

/// Line of a byte offset, 1-based.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

proptest! {
    #![proptest_config(config())]

    /// The tokens are the input, cut into consecutive pieces.
    #[test]
    fn lexer_tokens_cover_the_input_exactly(text in sql_text()) {
        let tokens = tokenize(&text);
        let mut at = 0;
        for token in &tokens {
            prop_assert_eq!(token.start, at);
            prop_assert!(!token.text.is_empty());
            prop_assert_eq!(&text[at..at + token.text.len()], token.text);
            at += token.text.len();
        }
        prop_assert_eq!(at, text.len());
    }

    /// The same for any string at all.
    #[test]
    fn lexer_takes_any_string(text in any::<String>()) {
        let joined: String = tokenize(&text).iter().map(|t| t.text).collect();
        prop_assert_eq!(joined, text);
    }

    /// Statements are slices of the script, in order, not overlapping, on the lines they say,
    /// and nothing but whitespace, comments and semicolons lies between them.
    #[test]
    fn splitter_statements_are_ordered_slices_of_the_script(text in sql_text()) {
        let mut last_end = 0;
        for item in split_script(&text) {
            let statement = match item {
                ScriptItem::Statement(s) | ScriptItem::MetaCommand(s) => s,
            };
            prop_assert!(statement.start >= last_end);
            let end = statement.start + statement.sql.len();
            prop_assert_eq!(&text[statement.start..end], statement.sql);
            prop_assert_eq!(statement.line, line_at(&text, statement.start));
            prop_assert!(!statement.sql.trim().is_empty());
            let between = &text[last_end..statement.start];
            let stray = tokenize(between)
                .into_iter()
                // A statement of nothing but whitespace outside SQL's (a vertical tab) is no
                // statement either.
                .filter(|t| !t.is_trivia() && t.text != ";" && !t.text.trim().is_empty())
                .count();
            prop_assert_eq!(stray, 0, "text skipped between statements: {:?}", between);
            last_end = end;
        }
    }

    /// A policy with any bytes changed never panics, and every problem points inside the file.
    #[test]
    fn mutated_policies_fail_with_locations_inside_the_file(
        (start, len, insert) in (0usize..4000, 0usize..40, sql_text()),
    ) {
        let text = example_policy();
        let start = floor_char_boundary(&text, start.min(text.len()));
        let end = floor_char_boundary(&text, (start + len).min(text.len()));
        let mutated = format!("{}{}{}", &text[..start], insert, &text[end..]);
        let lines = mutated.lines().count() + 1;
        if let Err(e) = policy::parse(&mutated, Path::new("p.toml"), &|_| Some("v".into())) {
            prop_assert!(!e.problems.is_empty());
            for p in &e.problems {
                prop_assert!(p.line <= lines, "{} beyond {} lines", p, lines);
                prop_assert!(!p.message.is_empty());
            }
        }
    }

    /// A snapshot with any bytes changed never panics: it loads or says what is wrong.
    #[test]
    fn mutated_snapshots_load_or_say_why(
        (start, len, insert) in (0usize..200_000, 0usize..60, sql_text()),
    ) {
        let text = example_snapshot();
        let start = floor_char_boundary(&text, start.min(text.len()));
        let end = floor_char_boundary(&text, (start + len).min(text.len()));
        let mutated = format!("{}{}{}", &text[..start], insert, &text[end..]);
        if let Err(e) = Snapshot::parse(&mutated, Path::new("s.json")) {
            prop_assert!(e.to_string().contains("s.json"), "{}", e);
        }
    }

    /// A password made of words joined by URL delimiters: the URL parses to exactly that
    /// password, host and database, or the error repeats no word of it.
    #[test]
    fn url_passwords_parse_exactly_or_leak_nothing(
        words in prop::collection::vec("[A-Za-z0-9]{5,8}", 1..4),
        delimiters in prop::collection::vec(
            prop::sample::select(vec!["/", "?", "#", "@", ":", "[", "]", ",", "&", "=", " ", "+", "%", "%2F", "\\"]),
            0..4,
        ),
        port in prop::option::of(1u16..),
    ) {
        let mut password = String::new();
        for (i, word) in words.iter().enumerate() {
            password.push_str(word);
            if let Some(d) = delimiters.get(i) {
                password.push_str(d);
            }
        }
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let url = format!("postgresql://ci:{password}@db.example.com{port}/app");
        match ConnInfo::parse(&url, &|_| None) {
            Ok(info) => {
                // A `%` not followed by two hex digits is an error, never a password.
                let encoded_well = password.split('%').skip(1).all(|rest| {
                    rest.len() >= 2 && rest.as_bytes()[..2].iter().all(u8::is_ascii_hexdigit)
                });
                prop_assert!(encoded_well, "{}", url);
                prop_assert_eq!(info.database(), "app");
                prop_assert_eq!(info.hosts()[0].host.as_deref(), Some("db.example.com"));
                let shown = format!("{info:?} {}", info.describe());
                for word in &words {
                    prop_assert!(!shown.contains(word.as_str()), "{}", shown);
                }
            }
            Err(e) => {
                let shown = format!("{e} {e:?}");
                for word in &words {
                    prop_assert!(!shown.contains(word.as_str()), "{} in {}", word, shown);
                }
            }
        }
    }

    /// Any key=value string or URL: parsed or refused, never a panic.
    #[test]
    fn any_connection_string_parses_or_is_refused(text in prop_oneof![
        any::<String>(),
        sql_text(),
        sql_text().prop_map(|t| format!("postgresql://{t}")),
        sql_text().prop_map(|t| format!("host={t} dbname=x")),
    ]) {
        let _ = ConnInfo::parse(&text, &|_| None);
    }
}

/// A valid snapshot round-trips byte for byte.
#[test]
fn the_example_snapshot_round_trips() {
    let text = example_snapshot();
    let snapshot = Snapshot::parse(&text, Path::new("s.json")).expect("the example loads");
    assert_eq!(snapshot.to_text(), text);
}

fn example_policy() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/schema-policy.toml"),
    )
    .expect("example policy")
}

fn example_snapshot() -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/snapshots/expected.snapshot.json"),
    )
    .expect("example snapshot")
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
