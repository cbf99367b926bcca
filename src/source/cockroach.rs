//! CockroachDB targets: run the reader's statements on a live server, or replay them from a
//! bundle that `pgdrift record` wrote. Both go through one seam, [`RowSource`]: the same
//! [`fetch`] asks the same statements of either, and the same pure reader
//! (`catalog::cockroach`) assembles the answers, so a replayed bundle exercises everything a
//! live read does but the network.
//!
//! A bundle is a JSON file: a format marker, an optional note (where a fixture's text comes
//! from), `version()`, `current_database()`, and each statement with its rows as text. It can
//! stand wherever a snapshot file can (a `snapshot` target, a side of `pgdrift diff`): it is
//! told from a snapshot by its format marker.

use std::future::Future;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tokio_postgres::{Client, SimpleQueryMessage};

use crate::catalog::cockroach::{self, Answer, Answers};
use crate::model::Schema;

/// The marker of the bundle format (`"format"`, first in the file).
pub const BUNDLE_FORMAT: &str = "pgdrift-cockroachdb-bundle";
/// The version of the bundle format this pgdrift writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

const VERSION: &str = "SELECT version()";
const DATABASE: &str = "SELECT current_database()";

/// Where the rows of a statement come from: a live server, or a recorded bundle.
pub trait RowSource {
    fn query(&self, statement: &str) -> impl Future<Output = Result<Answer, String>> + Send;
}

/// A live connection.
pub struct Live<'c>(pub &'c Client);

impl RowSource for Live<'_> {
    fn query(&self, statement: &str) -> impl Future<Output = Result<Answer, String>> + Send {
        let client = self.0;
        let statement = statement.to_string();
        async move {
            let messages = client
                .simple_query(&statement)
                .await
                .map_err(|e| format!("`{statement}` failed: {}", crate::catalog::describe(&e)))?;
            let mut answer = Answer {
                statement,
                ..Answer::default()
            };
            for message in messages {
                match message {
                    SimpleQueryMessage::RowDescription(columns) if answer.columns.is_empty() => {
                        answer.columns = columns.iter().map(|c| c.name().to_string()).collect();
                    }
                    SimpleQueryMessage::Row(row) => {
                        if answer.columns.is_empty() {
                            answer.columns =
                                row.columns().iter().map(|c| c.name().to_string()).collect();
                        }
                        answer.rows.push(
                            (0..row.len())
                                .map(|i| row.get(i).map(str::to_string))
                                .collect(),
                        );
                    }
                    _ => {}
                }
            }
            Ok(answer)
        }
    }
}

/// A recorded bundle: each statement answers what it answered when recorded.
pub struct Replay<'b>(pub &'b Bundle);

impl RowSource for Replay<'_> {
    fn query(&self, statement: &str) -> impl Future<Output = Result<Answer, String>> + Send {
        let bundle = self.0;
        let found = match statement {
            VERSION => Ok(single(statement, &bundle.version)),
            DATABASE => Ok(single(statement, &bundle.database)),
            _ => bundle
                .answers
                .iter()
                .find(|a| a.statement == statement)
                .cloned()
                .ok_or_else(|| format!("the bundle holds no answer to `{statement}`")),
        };
        std::future::ready(found)
    }
}

fn single(statement: &str, value: &str) -> Answer {
    Answer {
        statement: statement.to_string(),
        columns: vec!["value".to_string()],
        rows: vec![vec![Some(value.to_string())]],
    }
}

fn first_value(answer: &Answer) -> Result<String, String> {
    answer
        .rows
        .first()
        .and_then(|r| r.first().cloned().flatten())
        .ok_or_else(|| format!("`{}` returned no value", answer.statement))
}

/// Ask `source` every statement the reader needs, for the version the server says it is
/// (and in the database it says it is in).
pub async fn fetch(source: &impl RowSource) -> Result<Answers, String> {
    let version = first_value(&source.query(VERSION).await?)?;
    let major = cockroach::supported_version(&version).map_err(|e| e.to_string())?;
    let database = first_value(&source.query(DATABASE).await?)?;
    // All at once: on a live connection tokio-postgres pipelines them, one round trip's wait
    // instead of one per statement; the answers keep the statements' order.
    let statements = cockroach::statements(major, &database);
    let answers =
        futures_util::future::try_join_all(statements.iter().map(|s| source.query(s))).await?;
    Ok(Answers {
        version,
        database,
        answers,
    })
}

/// The file `pgdrift record` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub format_version: u32,
    /// Where the answers come from: a cluster (`recorded by pgdrift ...`), or for a test
    /// fixture the documentation page and CockroachDB version its text is written after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub version: String,
    pub database: String,
    pub answers: Vec<Answer>,
}

impl Bundle {
    pub fn new(answers: Answers, note: Option<String>) -> Bundle {
        Bundle {
            format: BUNDLE_FORMAT.to_string(),
            format_version: BUNDLE_VERSION,
            note,
            version: answers.version,
            database: answers.database,
            answers: answers.answers,
        }
    }

    pub fn parse(text: &str) -> Result<Bundle, String> {
        let bundle: Bundle =
            serde_json::from_str(text).map_err(|e| format!("not a pgdrift bundle: {e}"))?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(format!("not a pgdrift bundle (format {:?})", bundle.format));
        }
        if bundle.format_version != BUNDLE_VERSION {
            return Err(format!(
                "bundle format version {} is not the one this pgdrift reads ({BUNDLE_VERSION})",
                bundle.format_version
            ));
        }
        Ok(bundle)
    }

    pub fn to_text(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a bundle serializes");
        text.push('\n');
        text
    }
}

/// Whether `text` (the start of a file will do) is a bundle rather than a snapshot.
pub fn is_bundle(text: &str) -> bool {
    let head: String = text.chars().take(200).collect();
    head.contains(&format!("\"{BUNDLE_FORMAT}\""))
}

/// Replay a bundle through the reader: its schema and server version.
pub async fn replay(bundle: &Bundle, schemas: Option<&[String]>) -> Result<Schema, String> {
    let answers = fetch(&Replay(bundle)).await?;
    cockroach::assemble(&answers, schemas).map_err(|e| e.to_string())
}

/// The file at `path`, if it is a bundle (`None` when it is something else, e.g. a snapshot,
/// or cannot be read).
pub fn load_bundle(path: &Path) -> Result<Option<Bundle>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    // The marker comes first: a large snapshot is not read twice to find it is not a bundle.
    // A file that cannot be read is left to the snapshot reader, which says why in its words.
    let mut head = Vec::with_capacity(512);
    if std::fs::File::open(path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .is_err()
    {
        return Ok(None);
    }
    if !is_bundle(&String::from_utf8_lossy(&head)) {
        return Ok(None);
    }
    let text = std::fs::read_to_string(path).map_err(cannot)?;
    Bundle::parse(&text)
        .map(Some)
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// `version()` of the server `client` is connected to, when it is CockroachDB.
pub async fn detect(client: &Client) -> Option<String> {
    let answer = Live(client).query(VERSION).await.ok()?;
    let version = first_value(&answer).ok()?;
    crate::catalog::is_cockroachdb(&version).then_some(version)
}

/// Fetch every answer from a live CockroachDB in one read-only transaction.
pub async fn fetch_live(client: &Client) -> Result<Answers, String> {
    client
        .batch_execute("BEGIN TRANSACTION READ ONLY")
        .await
        .map_err(|e| {
            format!(
                "starting the read-only transaction failed: {}",
                crate::catalog::describe(&e)
            )
        })?;
    let answers = fetch(&Live(client)).await;
    let _ = client.batch_execute("COMMIT").await;
    answers
}

/// Read a live CockroachDB: fetch, then assemble.
pub async fn read_live(client: &Client, schemas: Option<&[String]>) -> Result<Schema, String> {
    let answers = fetch_live(client).await?;
    cockroach::assemble(&answers, schemas).map_err(|e| e.to_string())
}

/// `server_version` as reports and snapshots show it for a CockroachDB target:
/// `CockroachDB CCL v23.2.4`.
fn server_version(version: &str) -> String {
    version
        .split_once(" (")
        .map_or(version, |(name, _)| name)
        .to_string()
}

/// Read a live target whose server said it is CockroachDB (`version`), with the experimental
/// reader; `stage` names the read in messages.
pub(super) async fn read_live_target(
    target: &str,
    client: &Client,
    stage: &str,
    scope: &crate::catalog::Scope,
    read_timeout: Option<std::time::Duration>,
    version: &str,
) -> Result<super::ReadSchema, String> {
    let started = std::time::Instant::now();
    let read = super::within(read_timeout, stage, async {
        read_live(client, scope.schemas.as_deref())
            .await
            .map_err(|e| format!("{stage} (CockroachDB, experimental reader): {e}"))
    })
    .await;
    crate::timings::record(format!("read {target}"), started.elapsed());
    read.map(|schema| super::ReadSchema {
        schema,
        server_version: Some(server_version(version)),
        locations: Default::default(),
    })
}

/// Replay the file of a snapshot target if it is a bundle (`None`: it is not).
pub(super) async fn replay_if_bundle(
    target: &str,
    path: &Path,
    scope: &crate::catalog::Scope,
) -> Result<Option<super::ReadSchema>, String> {
    let started = std::time::Instant::now();
    let owned = path.to_path_buf();
    let bundle = tokio::task::spawn_blocking(move || load_bundle(&owned))
        .await
        .map_err(|e| e.to_string())??;
    let Some(bundle) = bundle else {
        return Ok(None);
    };
    let schema = replay(&bundle, scope.schemas.as_deref())
        .await
        .map_err(|e| format!("{}: {e}", path.display()))?;
    crate::timings::record(format!("read {target} (bundle)"), started.elapsed());
    Ok(Some(super::ReadSchema {
        schema,
        server_version: Some(server_version(&bundle.version)),
        locations: Default::default(),
    }))
}

/// `pgdrift record`: connect to `url`, check that it is CockroachDB, and fetch every answer.
pub async fn record(
    url: &str,
    env: &super::Env,
    note: Option<String>,
    read_timeout: Option<std::time::Duration>,
) -> Result<Bundle, String> {
    let info = super::ConnInfo::parse(url, env).map_err(|e| e.to_string())?;
    let client = super::conninfo::connect(&info, "pgdrift", super::CONNECT_TIMEOUT)
        .await
        .map_err(|e| e.to_string())?;
    let stage = format!("recording {}", info.describe());
    super::within(read_timeout, &stage, async {
        if detect(&client).await.is_none() {
            return Err(format!(
                "{stage}: the server is not CockroachDB; `pgdrift record` records CockroachDB \
                 answers (use `pgdrift snapshot` for PostgreSQL)"
            ));
        }
        let answers = fetch_live(&client)
            .await
            .map_err(|e| format!("{stage}: {e}"))?;
        Ok(Bundle::new(answers, note))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> Bundle {
        Bundle::new(
            Answers {
                version: "CockroachDB CCL v23.2.4 (x86_64-pc-linux-gnu)".into(),
                database: "shop".into(),
                answers: cockroach::statements((23, 2), "shop")
                    .into_iter()
                    .map(|s| Answer {
                        statement: s,
                        columns: vec!["create_statement".into()],
                        rows: Vec::new(),
                    })
                    .collect(),
            },
            Some("synthetic".into()),
        )
    }

    #[tokio::test]
    async fn a_bundle_replays_the_statements_it_recorded() {
        let b = bundle();
        let answers = fetch(&Replay(&b)).await.expect("replays");
        assert_eq!(answers.database, "shop");
        assert_eq!(
            answers.answers.len(),
            cockroach::statements((23, 2), "shop").len()
        );
        let schema = cockroach::assemble(&answers, None).expect("assembles");
        assert_eq!(schema.cockroachdb.as_deref(), Some("v23.2.4"));
    }

    #[tokio::test]
    async fn a_bundle_without_an_answer_says_which() {
        let mut b = bundle();
        b.answers.retain(|a| a.statement != "SHOW GRANTS");
        let e = fetch(&Replay(&b)).await.expect_err("incomplete");
        assert!(e.contains("SHOW GRANTS"), "{e}");
    }

    #[test]
    fn bundles_round_trip_and_are_told_from_snapshots() {
        let b = bundle();
        let text = b.to_text();
        assert!(is_bundle(&text));
        assert!(!is_bundle("{\"format_version\": 1, \"schema\": {}}"));
        assert_eq!(Bundle::parse(&text).expect("parses"), b);
        let wrong = text.replace(BUNDLE_FORMAT, "something-else");
        assert!(Bundle::parse(&wrong).is_err());
    }

    #[tokio::test]
    async fn old_versions_are_refused_before_any_statement() {
        let mut b = bundle();
        b.version = "CockroachDB CCL v21.2.17 (x86_64-pc-linux-gnu)".into();
        let e = fetch(&Replay(&b)).await.expect_err("too old");
        assert!(e.contains("v22.2 and later"), "{e}");
    }
}
