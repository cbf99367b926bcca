//! The history page at scale (README, "History page"): a synthetic history of 1,000 versions
//! of a 200-table schema, each version one to three changes (columns added and retyped,
//! indexes added and redefined, tables added and dropped), written by `pgdrift history
//! --html` and opened in headless Chromium (median of 3 loads). Prints what it measures.
//!
//! `cargo bench --bench history`

#[path = "../tests/report_support/mod.rs"]
mod report_support;

use std::path::Path;
use std::process::Command;

use pgdrift::snapshot::{self, Snapshot};
use report_support as support;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pgdrift"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("run pgdrift");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn main() {
    use pgdrift::model::{Column, Index, Schema, Table};
    use std::time::Instant;

    let dir = tempfile::tempdir().expect("tempdir");
    let history = dir.path().join("history");
    let table = |n: usize| {
        let mut t = Table {
            owner: "app".into(),
            ..Default::default()
        };
        for c in 0..8 {
            t.columns.insert(
                format!("c{c}"),
                Box::new(Column {
                    position: c + 1,
                    data_type: "integer".into(),
                    ..Default::default()
                }),
            );
        }
        t.indexes.insert(
            format!("t{n}_pkey"),
            Index {
                definition: format!("CREATE UNIQUE INDEX t{n}_pkey ON app.t{n} USING btree (c0)"),
                ..Default::default()
            },
        );
        t
    };
    let mut schema = Schema::default();
    let ns = schema.schemas.entry("app".into()).or_default();
    ns.owner = "app".into();
    for n in 0..200 {
        ns.tables.insert(format!("t{n}"), table(n));
    }
    let started = Instant::now();
    for k in 0..1000usize {
        if k > 0 {
            let ns = schema.schemas.get_mut("app").expect("app");
            let name = format!("t{}", k % 200);
            let t = ns
                .tables
                .entry(name.clone())
                .or_insert_with(|| table(k % 200));
            match k % 4 {
                0 => {
                    let position = t.columns.len() as u32 + 1;
                    t.columns.insert(
                        format!("added_{k}"),
                        Box::new(Column {
                            position,
                            data_type: "text".into(),
                            ..Default::default()
                        }),
                    );
                }
                1 => {
                    if let Some(c) = t.columns.get_mut("c1") {
                        c.data_type = if c.data_type == "integer" {
                            "bigint"
                        } else {
                            "integer"
                        }
                        .into();
                    }
                }
                2 => {
                    t.indexes.insert(
                        format!("{name}_k{k}"),
                        Index {
                            definition: format!(
                                "CREATE INDEX {name}_k{k} ON app.{name} USING btree (c2, c3)\n  WHERE (c4 > {k})"
                            ),
                            ..Default::default()
                        },
                    );
                }
                _ => {
                    let key = format!("{name}_pkey");
                    if let Some(i) = t.indexes.get_mut(&key) {
                        i.definition = format!(
                            "CREATE UNIQUE INDEX {key} ON app.{name} USING btree (c0)\n  INCLUDE (c{}) WHERE (c0 > {k})",
                            k % 8
                        );
                    }
                }
            }
            if k % 10 == 0 {
                ns.tables.insert(format!("extra_{k}"), table(k));
            }
            if k % 25 == 0 {
                ns.tables.remove(&format!("extra_{}", k - 20));
            }
        }
        let day = pgdrift::date::Date::from_days(20_454 + (k / 24) as i64);
        let at = format!("{day}T{:02}:00:00Z", k % 24);
        let snap = Snapshot::new(schema.clone(), Some("17.2".into()), Some(at.clone()));
        snapshot::store(&history, &snap, &snapshot::stamp_of(&at))
            .expect("store")
            .expect("a change");
    }
    eprintln!("built 1,000 versions in {:?}", started.elapsed());

    let page = dir.path().join("history.html");
    let started = Instant::now();
    let (code, _, err) = run(&["history", s(&history), "--html", s(&page)]);
    assert_eq!(code, 0, "{err}");
    eprintln!("pgdrift history --html: {:?}", started.elapsed());
    let bytes = std::fs::metadata(&page).expect("page").len();
    let empty = dir.path().join("empty.html");
    std::fs::write(
        &empty,
        "<!DOCTYPE html><html><body data-ready=\"1\"></body></html>",
    )
    .expect("write");
    let time = |file: &Path| {
        let mut runs: Vec<(std::time::Duration, String)> = (0..3)
            .map(|_| {
                let started = Instant::now();
                let r = support::load_in_chromium(file, "");
                (started.elapsed(), r.dom)
            })
            .collect();
        runs.sort_by_key(|r| r.0);
        runs.swap_remove(1)
    };
    let (baseline, _) = time(&empty);
    let (loaded, dom) = time(&page);
    assert!(dom.contains("data-ready=\"1\"") && dom.contains("data-versions=\"1000\""));
    let in_page = dom
        .split("data-load-ms=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or("?");
    // The harness runs Chromium on virtual time (`--virtual-time-budget`), which stretches
    // `performance.now()`; without it, the page's own figure is what a reader waits: from
    // navigation to the script done and the layout it forces (the last thing it measures).
    let mut real: Vec<u64> = (0..3)
        .map(|_| {
            let profile = tempfile::tempdir().expect("profile");
            let out = std::process::Command::new(support::chromium())
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--no-first-run",
                ])
                .args(["--disable-background-networking", "--dump-dom"])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg(format!("file://{}", page.display()))
                .output()
                .expect("chromium");
            let dom = String::from_utf8_lossy(&out.stdout).into_owned();
            dom.split("data-load-ms=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .and_then(|s| s.parse().ok())
                .expect("data-load-ms")
        })
        .collect();
    real.sort_unstable();
    eprintln!(
        "page: {bytes} bytes ({:.2} MB); Chromium, median of 3: {loaded:?} to load and dump \
         (an empty page: {baseline:?}); on virtual time the script finished {in_page} ms after \
         navigation, on real time {} ms",
        bytes as f64 / 1e6,
        real[1]
    );
}
