//! The command line: parse arguments, run the flow (policy → sources → diff → evaluate →
//! reports), and hand `main` a status to turn into an exit code.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diff;
use crate::evaluate::{CheckVerdict, Status, Verdict};
use crate::model::Schema;
use crate::policy::{self, Date, Policy, Settings};
use crate::report;
use crate::rules::{Presence, RULES, RuleId, Severity};
use crate::run::{self, Progress, RunOptions};
pub use crate::run::{Run, compare};
use crate::snapshot;
use crate::source;
use crate::source::conninfo::process_env;
use crate::{stderr, stderrln, stdout, stdoutln};

#[derive(Parser, Debug)]
#[command(
    name = "pgdrift",
    version,
    about = "Schema drift checker for PostgreSQL, built for CI",
    long_about = "Schema drift checker for PostgreSQL, built for CI.\n\n\
                  Exit codes: 0 no policy violations, 1 the policy is violated, \
                  2 the run could not finish (bad policy, unreachable database, ...)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the checks of a policy file and report drift.
    Check(CheckArgs),
    /// Compare two schemas once, without a policy file: each side is a connection string
    /// (`postgresql://...` or `host=... dbname=...`), SQL files (`db/*.sql`), a snapshot file
    /// (`*.json`) or a history version (`DIR@3`, `DIR@latest`).
    Diff(DiffArgs),
    /// Write a snapshot: a canonical JSON image of a schema, to compare against later.
    Snapshot(SnapshotArgs),
    /// List the versions stored in a snapshot history folder, with what changed between them.
    History(HistoryArgs),
    /// Combine the JSON results of shards (`--shard I/N` runs) into one set of reports and
    /// one exit code.
    Merge(MergeArgs),
    /// Print the SQL that turns the actual schema into the expected one: a policy's checks
    /// (`--policy`), or two sides as for `diff`. Exit codes as `check`: 0 nothing to do, 1 a
    /// plan is needed, 2 could not finish.
    Plan(PlanArgs),
    /// Bring the actual database to the expected schema. A dry run unless `--yes`: prints
    /// the plan and read-only pre-checks against the actual data. With `--yes`: new enum labels
    /// first, then one transaction that is re-checked before COMMIT, so the database either
    /// converges or does not change; dropped tables and columns are kept in `pgdrift_backup`.
    Apply(ApplyArgs),
    /// Record the raw answers a CockroachDB read is made of (`SHOW CREATE ALL TABLES`, `SHOW
    /// GRANTS`, ...) into a bundle file: attach it to a bug report, or compare it later as a
    /// snapshot (`pgdrift diff bundle.json ...`). CockroachDB only; experimental.
    Record(RecordArgs),
    /// List the hazard codes plan steps carry, with what each means.
    Hazards,
    /// List every rule id with its default severity, or explain one rule.
    Rules {
        /// A rule id such as `column.default`.
        id: Option<String>,
        /// Print the whole rule reference as Markdown (the text of `docs/rules.md`).
        #[arg(long, conflicts_with = "id")]
        markdown: bool,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The policy file.
    #[arg(long, short, default_value = "schema-policy.toml")]
    pub policy: PathBuf,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub overrides: PolicyOverrides,
    #[command(flatten)]
    pub run: RunArgs,
}

/// How to run a fleet.
#[derive(clap::Args, Debug, Default)]
pub struct RunArgs {
    /// Fleet targets read at once (default: twice the cores, at most 8).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Run only slice I of N (1-based), e.g. `--shard 2/4` in a CI matrix; every (check,
    /// target) pair lands in exactly one slice, and stays there as the fleet grows.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
}

fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}` is not I/N (e.g. 2/4)"))?;
    let i: usize = i
        .trim()
        .parse()
        .map_err(|_| format!("`{i}` is not a number"))?;
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| format!("`{n}` is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n}: I must be between 1 and N"));
    }
    Ok((i, n))
}

#[derive(clap::Args, Debug)]
pub struct DiffArgs {
    /// The expected schema: a connection string or SQL file(s).
    pub expected: String,
    /// The actual schema: a connection string or SQL file(s).
    pub actual: String,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub overrides: PolicyOverrides,
}

#[derive(clap::Args, Debug)]
pub struct PlanArgs {
    /// The expected schema (as for `diff`); give both sides, or `--policy`.
    #[arg(requires = "actual", conflicts_with = "policy")]
    pub expected: Option<String>,
    /// The actual schema: the database the plan is for.
    pub actual: Option<String>,
    /// Plan the checks of this policy file.
    #[arg(long, short)]
    pub policy: Option<PathBuf>,
    /// Only this check of the policy.
    #[arg(long, value_name = "NAME", requires = "policy")]
    pub check: Option<String>,
    /// Write the plan to FILE (a script `psql -v ON_ERROR_STOP=1 -f FILE` runs as is);
    /// default standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the plan as JSON (statements with phase, object, operation, hazards, why).
    #[arg(long)]
    pub json: bool,
    /// Also write the reverse script (back to the actual schema as it is now) to FILE.
    #[arg(long, value_name = "FILE")]
    pub down: Option<PathBuf>,
    /// Plan DROP TABLE, DROP COLUMN, DROP SCHEMA and narrowing type changes.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Print the expected schema's foreign-key structure instead: chains, cycles, and a safe
    /// order to sync tables in, by levels (`--json` for scripts).
    #[arg(long)]
    pub deps: bool,
    /// Print the wall time of each stage (connect and read per target, plan) on standard
    /// error at the end.
    #[arg(long)]
    pub timings: bool,
    /// Build new indexes of existing tables concurrently and validate new CHECK and foreign
    /// keys after COMMIT, so writes wait only briefly.
    #[arg(long)]
    pub online: bool,
    #[command(flatten)]
    pub overrides: PolicyOverrides,
}

#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    /// The expected schema (as for `diff`); give both sides, or `--policy`.
    #[arg(requires = "actual", conflicts_with = "policy")]
    pub expected: Option<String>,
    /// The actual database (a connection string): the one that is changed.
    pub actual: Option<String>,
    /// Apply the checks of this policy file (their actual sides must be `url` targets).
    #[arg(long, short)]
    pub policy: Option<PathBuf>,
    /// Only this check of the policy.
    #[arg(long, value_name = "NAME", requires = "policy")]
    pub check: Option<String>,
    /// Execute the plan (without it: a dry run that changes nothing).
    #[arg(long)]
    pub yes: bool,
    /// Plan DROP TABLE, DROP COLUMN, DROP SCHEMA and narrowing type changes.
    #[arg(long)]
    pub allow_destructive: bool,
    /// How long a statement waits for a lock before the whole apply rolls back.
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub lock_timeout: String,
    /// How long one statement may run (`0`: no limit). The client gives up on a statement
    /// 15s after this (a server that stopped answering); with `0` it waits as long as it takes.
    #[arg(long, value_name = "DURATION", default_value = "0")]
    pub statement_timeout: String,
    /// Do not keep dropped tables and columns in the backup schema.
    #[arg(long)]
    pub no_backup: bool,
    /// Build new indexes of existing tables concurrently and validate new CHECK and foreign
    /// keys after COMMIT (each re-checked at the end).
    #[arg(long)]
    pub online: bool,
    #[command(flatten)]
    pub overrides: PolicyOverrides,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["url", "sql", "target"])))]
pub struct SnapshotArgs {
    /// A live database: a connection string (URL or key=value).
    #[arg(long)]
    pub url: Option<String>,
    /// SQL files (a file or a glob, repeatable), applied to a scratch database.
    #[arg(long)]
    pub sql: Vec<String>,
    /// A target of the policy file (with --policy).
    #[arg(long, requires = "policy")]
    pub target: Option<String>,
    /// The policy file that defines --target.
    #[arg(long, short)]
    pub policy: Option<PathBuf>,
    /// Only these schemas (comma-separated); default every non-system schema.
    #[arg(long, value_delimiter = ',')]
    pub schemas: Vec<String>,
    /// Write the snapshot to FILE (`-` or absent: standard output, unless --history).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Also store it in a history folder under a timestamped name, unless nothing changed
    /// since the latest one there.
    #[arg(long, value_name = "DIR")]
    pub history: Option<PathBuf>,
    /// Leave out the capture time, so two captures of one schema are byte-identical.
    #[arg(long)]
    pub no_timestamp: bool,
    /// How long to wait for the server to answer once connected (as for `check`; default
    /// `75s`, or the policy's `[settings] read_timeout` with --target; `0`: no limit).
    #[arg(long, value_name = "DURATION", value_parser = parse_read_timeout)]
    pub read_timeout: Option<ReadTimeout>,
}

#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    /// The CockroachDB database: a connection string (URL or key=value).
    #[arg(long)]
    pub url: String,
    /// Write the bundle to FILE.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// A note kept in the bundle (where it comes from, what it shows).
    #[arg(long)]
    pub note: Option<String>,
    /// How long to wait for the server to answer once connected (default `75s`; `0`: no
    /// limit).
    #[arg(long, value_name = "DURATION", value_parser = parse_read_timeout)]
    pub read_timeout: Option<ReadTimeout>,
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// JSON reports written by `pgdrift check --json` (one per shard).
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,
    /// The policy file the shards ran (for report locations).
    #[arg(long, short)]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    /// The history folder (written by `pgdrift snapshot --history DIR`).
    pub dir: PathBuf,
    /// Only versions captured on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only versions captured on or before this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Print the timeline as JSON (each version's capture time, server version, size, counts
    /// per object kind and changes) instead of one line per version.
    #[arg(long)]
    pub json: bool,
    /// Write the timeline as one self-contained HTML page to FILE (no network access).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Also compare version A with version B directly (repeatable), for the JSON and the page.
    #[arg(long, num_args = 2, value_names = ["A", "B"], action = clap::ArgAction::Append)]
    pub compare: Vec<usize>,
}

/// Flags that override the policy's settings.
#[derive(clap::Args, Debug, Default)]
pub struct PolicyOverrides {
    /// Turn an ignore rule on (e.g. `--ignore constraint_names`); repeatable.
    #[arg(long, value_name = "RULE")]
    pub ignore: Vec<String>,
    /// Turn an ignore rule off (e.g. `--no-ignore column_order`); repeatable.
    #[arg(long, value_name = "RULE")]
    pub no_ignore: Vec<String>,
    /// Fail on findings of this severity or worse: error, warning or note.
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<String>,
    /// The date waivers are checked against (YYYY-MM-DD); default today.
    #[arg(long, value_name = "DATE", hide = true)]
    pub today: Option<String>,
    /// How long to wait for a server to answer once connected, client-side (each schema read,
    /// each statement of a SQL file, listing databases), as PostgreSQL writes durations: `75s`
    /// (the default, or `[settings] read_timeout`), `2min`; `0` waits as long as it takes.
    #[arg(long, value_name = "DURATION", value_parser = parse_read_timeout)]
    pub read_timeout: Option<ReadTimeout>,
}

/// `--read-timeout`: the limit, `None` for `0` (no limit).
#[derive(Debug, Clone, Copy)]
pub struct ReadTimeout(pub Option<std::time::Duration>);

fn parse_read_timeout(s: &str) -> Result<ReadTimeout, String> {
    policy::parse_read_timeout(s).map(ReadTimeout)
}

/// Where and how to report.
#[derive(clap::Args, Debug)]
pub struct OutputArgs {
    /// Write the JSON report to PATH (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write JUnit XML (test suite per check, test case per object) to PATH.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Write SARIF 2.1.0 (for code scanning) to PATH.
    #[arg(long, value_name = "PATH")]
    pub sarif: Option<PathBuf>,
    /// Write a Markdown summary (for $GITHUB_STEP_SUMMARY or merge-request notes) to PATH.
    #[arg(long, value_name = "PATH")]
    pub markdown: Option<PathBuf>,
    /// Write GitLab Code Quality JSON to PATH.
    #[arg(long, value_name = "PATH")]
    pub codequality: Option<PathBuf>,
    /// Write a self-contained HTML report to PATH.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
    /// Write reviewdog's Diagnostic Format (`reviewdog -f=rdjson`) to PATH.
    #[arg(long, value_name = "PATH")]
    pub rdjson: Option<PathBuf>,
    /// Write every report not given its own path into DIR (created if missing), as
    /// pgdrift.json, pgdrift.junit.xml, pgdrift.sarif, pgdrift.md, pgdrift.codequality.json,
    /// pgdrift.html and pgdrift.rdjson.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Print findings as CI annotations: `github` (workflow commands) or `none`. Default:
    /// `github` when GITHUB_ACTIONS=true. They go to standard output, or to standard error
    /// when a report is written to standard output.
    #[arg(long, value_enum, value_name = "STYLE")]
    pub annotations: Option<report::AnnotationStyle>,
    /// Put waived findings into SARIF as suppressed results (GitHub opens them as alerts all
    /// the same, so they are left out by default, as in Code Quality).
    #[arg(long)]
    pub sarif_waived: bool,
    /// When to colour the terminal summary.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// List every object of a group of identical findings in the terminal summary (by default
    /// the first five, e.g. of one grant extra on 1,150 tables).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Replace function, view, trigger, rule and policy bodies and comments by a hash in the
    /// summary and every report (job summaries and artifacts of public repositories are
    /// public); the fix script is left out.
    #[arg(long)]
    pub redact_bodies: bool,
    /// Print the wall time of each stage (connect and read per target, normalize, diff, judge,
    /// report) on standard error at the end.
    #[arg(long)]
    pub timings: bool,
}

impl OutputArgs {
    /// The reports the flags ask for (`-` is standard output).
    pub fn outputs(&self) -> report::Outputs {
        report::Outputs {
            json: self.json.clone(),
            junit: self.junit.clone(),
            sarif: self.sarif.clone(),
            markdown: self.markdown.clone(),
            codequality: self.codequality.clone(),
            html: self.html.clone(),
            rdjson: self.rdjson.clone(),
            output_dir: self.output_dir.clone(),
            annotations: self.annotations,
            sarif_waived: self.sarif_waived.then_some(true),
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Why a run stopped before it could produce a verdict.
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Run a command. `Ok(status)` when the run finished (the status says whether the policy holds),
/// `Err` when it could not even produce a verdict.
pub async fn run(cli: Cli) -> Result<Status, RunError> {
    match cli.command {
        Command::Check(args) => {
            let policy = policy::load(&args.policy, &process_env)
                .map_err(|e| RunError(format!("the policy has problems:\n{e}")))?;
            run_policy(policy, &args.overrides, &args.output, &args.run).await
        }
        Command::Diff(args) => {
            let policy = one_off_policy(&args.expected, &args.actual)?;
            run_policy(policy, &args.overrides, &args.output, &RunArgs::default()).await
        }
        Command::Snapshot(args) => snapshot_command(args).await.map(|()| Status::Clean),
        Command::History(args) => history_command(&args).map(|()| Status::Clean),
        Command::Merge(args) => merge_command(&args),
        Command::Plan(args) => plan_command(&args).await,
        Command::Apply(args) => apply_command(&args).await,
        Command::Record(args) => record_command(&args).await.map(|()| Status::Clean),
        Command::Hazards => {
            hazards();
            Ok(Status::Clean)
        }
        Command::Rules { markdown: true, .. } => {
            stdout!("{}", crate::rules::reference_markdown());
            Ok(Status::Clean)
        }
        Command::Rules { id, .. } => rules(id.as_deref()).map(|()| Status::Clean),
    }
}

/// Fleet progress on stderr: a bar that redraws itself on a terminal, one plain line per
/// target in CI logs.
fn show_progress(p: Progress<'_>) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    if std::io::stderr().is_terminal() {
        let width = 30;
        let filled = width * p.done / p.total.max(1);
        let _ = write!(
            err,
            "\r\x1b[2K{} [{}{}] {}/{} targets, {} drifted",
            report::visible(p.check),
            "#".repeat(filled),
            " ".repeat(width - filled),
            p.done,
            p.total,
            p.drifted
        );
        if p.done == p.total {
            let _ = writeln!(err);
        }
    } else {
        let _ = writeln!(
            err,
            "pgdrift: {}: {}/{} {} done ({} drifted so far)",
            report::visible(p.check),
            p.done,
            p.total,
            report::visible(p.target),
            p.drifted
        );
    }
}

/// Apply the command-line overrides to a policy's settings.
fn apply_overrides(settings: &mut Settings, o: &PolicyOverrides) -> Result<Date, RunError> {
    for (keys, on) in [(&o.ignore, true), (&o.no_ignore, false)] {
        for key in keys {
            if !settings.ignore.set(key, on) {
                return Err(RunError(format!(
                    "unknown ignore rule `{key}` (use one of {})",
                    policy::IGNORE_KEYS.join(", ")
                )));
            }
        }
    }
    if let Some(ReadTimeout(timeout)) = o.read_timeout {
        settings.read_timeout = timeout;
    }
    if let Some(level) = &o.fail_on {
        settings.fail_on = match policy::parse_severity(level) {
            Some(s) if s != Severity::Ignore => s,
            _ => {
                return Err(RunError(format!(
                    "--fail-on takes error, warning or note, not `{level}`"
                )));
            }
        };
    }
    match &o.today {
        None => Ok(Date::today()),
        Some(d) => Date::parse(d)
            .ok_or_else(|| RunError(format!("--today takes a date like 2027-03-01, not `{d}`"))),
    }
}

/// A policy for `pgdrift diff`: two targets, one check, default settings.
fn one_off_policy(expected: &str, actual: &str) -> Result<Policy, RunError> {
    let target = |name: &str, spec: &str| -> Result<policy::Target, RunError> {
        let looks_like_url = spec.starts_with("postgres://")
            || spec.starts_with("postgresql://")
            || spec.contains('=');
        let source = if let Some(version) = snapshot::resolve_version(spec) {
            policy::TargetSource::Snapshot(version.map_err(|e| RunError(format!("{name}: {e}")))?)
        } else if spec.ends_with(".json") {
            policy::TargetSource::Snapshot(PathBuf::from(spec))
        } else if looks_like_url {
            policy::TargetSource::Live(policy::LiveTarget {
                conninfo: spec.to_string(),
                sslmode: None,
                ca_file: None,
                password: None,
                database: None,
                ssh: None,
            })
        } else {
            let files =
                policy::expand_sql_files(spec).map_err(|e| RunError(format!("{name}: {e}")))?;
            policy::TargetSource::Sql(policy::SqlTarget {
                files,
                scratch_url: None,
            })
        };
        Ok(policy::Target {
            name: name.to_string(),
            source,
            schemas: None,
            schema_pattern: None,
            databases: None,
        })
    };
    let mut targets = BTreeMap::new();
    let expected_target = target("expected", expected)?;
    // Reports need a file to point findings at: the expected side's file when it is one.
    let path = match &expected_target.source {
        policy::TargetSource::Sql(sql) => sql.files.first().cloned(),
        policy::TargetSource::Snapshot(file) => Some(file.clone()),
        policy::TargetSource::Live(_) => None,
    }
    .unwrap_or_else(|| PathBuf::from("(command line)"));
    targets.insert("expected".to_string(), expected_target);
    targets.insert("actual".to_string(), target("actual", actual)?);
    Ok(Policy {
        path,
        targets,
        checks: vec![policy::Check {
            name: "expected vs actual".into(),
            expected: "expected".into(),
            actual: vec!["actual".into()],
            template_schema: None,
            line: 1,
        }],
        settings: Settings::default(),
        report: report::Outputs::default(),
    })
}

async fn run_policy(
    mut policy: Policy,
    overrides: &PolicyOverrides,
    args: &OutputArgs,
    run_args: &RunArgs,
) -> Result<Status, RunError> {
    let started = std::time::Instant::now();
    let today = apply_overrides(&mut policy.settings, overrides)?;
    let outputs = args.outputs().or(policy.report.clone());
    // Before the run: a report that could never be written should not cost a long check.
    outputs.resolve().map_err(RunError)?;
    let Run {
        verdict,
        relations,
        locations,
    } = run::run_checks(
        &policy,
        today,
        RunOptions {
            jobs: run_args.jobs.unwrap_or_else(run::default_jobs),
            shard: run_args.shard,
            // The Markdown report shows the fix next to the drift.
            plans: outputs
                .resolve()
                .is_ok_and(|r| r.iter().any(|(f, _)| *f == report::Format::Markdown)),
        },
        &show_progress,
    )
    .await;
    // `pgdrift diff` has no policy file to point at.
    let policy_file = policy.path.is_file().then_some(policy.path.as_path());
    let status = crate::timings::time("report", || {
        report_verdict(
            &verdict,
            policy_file,
            &relations,
            &locations,
            args,
            &policy.report,
        )
    });
    if args.timings {
        stderr!("{}", crate::timings::take_rendered(started.elapsed()));
    }
    if let Some(signal) = crate::interrupt::raised() {
        status?;
        return Err(RunError(format!(
            "interrupted by {signal}; the reports hold what was compared before it, and the run \
             is incomplete"
        )));
    }
    status
}

/// Print the summary and annotations and write every report the flags ask for.
fn report_verdict(
    verdict: &Verdict,
    policy_file: Option<&Path>,
    relations: &report::Relations,
    locations: &BTreeMap<String, source::locations::Locations>,
    args: &OutputArgs,
    policy_outputs: &report::Outputs,
) -> Result<Status, RunError> {
    let outputs = args.outputs().or(policy_outputs.clone());
    let redacted;
    let verdict = if args.redact_bodies {
        redacted = report::redact::redact_bodies(verdict);
        &redacted
    } else {
        verdict
    };
    let status = verdict.status();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let style = report::terminal::Style::new(color).verbose(args.verbose);
    let summary = report::terminal::render(verdict, status, style);
    // A report on standard output keeps it clean for pipes: the summary and the annotations
    // go to stderr then (the Actions runner reads workflow commands on both streams).
    let to_stderr = outputs.uses_stdout();
    if to_stderr {
        stderr!("{summary}");
    } else {
        stdout!("{summary}");
    }
    let cwd = std::env::current_dir().ok();
    let root = cwd
        .as_deref()
        .map(|cwd| report::repo_root(cwd, &process_env));
    let mut ctx = report::Context::new(verdict);
    ctx.status = status;
    ctx.policy = policy_file;
    ctx.base = root.as_deref();
    ctx.cwd = cwd.as_deref();
    ctx.relations = Some(relations);
    ctx.sarif_waived = outputs.sarif_waived == Some(true);
    let docs_url = docs_url(&process_env);
    ctx.docs_url = docs_url.as_deref();
    // A finding's object is found in the SQL files of the check's expected side, or else of
    // its actual side (for objects that exist only there: an extra column points at its own
    // line in the actual side's files before its table's line in the expected side's).
    let locate = |check: &CheckVerdict, finding: &diff::Finding| {
        let sides = [&check.expected, &check.actual];
        let exact = sides.iter().find_map(|target| {
            locations.get(target.as_str())?.find_for(
                finding.rule.as_str(),
                &finding.object,
                &finding.object,
            )
        });
        let at = exact.or_else(|| {
            sides.iter().find_map(|target| {
                locations.get(target.as_str())?.find_for(
                    finding.rule.as_str(),
                    &finding.object,
                    &finding.group,
                )
            })
        })?;
        Some(report::Location {
            path: at.file.clone(),
            line: at.line as u32,
        })
    };
    ctx.locate = Some(&locate);
    let annotations = match outputs.annotation_style(&process_env) {
        report::AnnotationStyle::Github => Some(report::annotations::render(&ctx)),
        report::AnnotationStyle::Lines => Some(report::annotations::render_lines(&ctx)),
        report::AnnotationStyle::None => None,
    };
    if let Some(annotations) = annotations {
        if to_stderr {
            stderr!("{annotations}");
        } else {
            stdout!("{annotations}");
        }
    }
    report::write_all(&outputs, &ctx).map_err(|errors| RunError(errors.join("\n")))?;
    Ok(status)
}

/// `pgdrift merge`: the JSON results of shards combined into one set of reports.
fn merge_command(args: &MergeArgs) -> Result<Status, RunError> {
    let mut verdicts = Vec::new();
    for path in &args.reports {
        let text = std::fs::read_to_string(path)
            .map_err(|e| RunError(format!("cannot read {}: {e}", path.display())))?;
        verdicts.push(
            report::json::parse(&text).map_err(|e| RunError(format!("{}: {e}", path.display())))?,
        );
    }
    let verdict = report::json::merge(verdicts);
    args.output.outputs().resolve().map_err(RunError)?;
    let policy_file = args.policy.as_deref().filter(|p| p.is_file());
    report_verdict(
        &verdict,
        policy_file,
        &report::Relations::default(),
        &BTreeMap::new(),
        &args.output,
        &report::Outputs::default(),
    )
}

/// `pgdrift snapshot`: read one schema and write it as a snapshot file and/or into a history.
/// `pgdrift record`: a CockroachDB read's raw answers, written to a bundle.
async fn record_command(args: &RecordArgs) -> Result<(), RunError> {
    let read_timeout = args
        .read_timeout
        .map_or(Some(policy::DEFAULT_READ_TIMEOUT), |ReadTimeout(t)| t);
    let env: &source::Env = &process_env;
    let bundle = source::cockroach::record(&args.url, env, args.note.clone(), read_timeout)
        .await
        .map_err(RunError)?;
    report::write_atomic(&args.out, &bundle.to_text())
        .map_err(|e| RunError(format!("cannot write {}: {e}", args.out.display())))?;
    stderrln!(
        "pgdrift: recorded {} answers of {} into {}",
        bundle.answers.len(),
        bundle.database,
        args.out.display()
    );
    Ok(())
}

async fn snapshot_command(args: SnapshotArgs) -> Result<(), RunError> {
    let schemas = (!args.schemas.is_empty()).then(|| args.schemas.clone());
    let mut read_timeout = Some(policy::DEFAULT_READ_TIMEOUT);
    let target = if let Some(name) = &args.target {
        let path = args
            .policy
            .as_deref()
            .unwrap_or(Path::new("schema-policy.toml"));
        let policy = policy::load(path, &process_env)
            .map_err(|e| RunError(format!("the policy has problems:\n{e}")))?;
        let mut target = policy.targets.get(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = policy.targets.keys().map(String::as_str).collect();
            RunError(format!(
                "the policy has no target `{name}` (it has: {})",
                known.join(", ")
            ))
        })?;
        if schemas.is_some() {
            target.schemas = schemas;
        }
        read_timeout = policy.settings.read_timeout;
        target
    } else {
        let source = match &args.url {
            Some(url) => policy::TargetSource::Live(policy::LiveTarget {
                conninfo: url.clone(),
                sslmode: None,
                ca_file: None,
                password: None,
                database: None,
                ssh: None,
            }),
            None => {
                let mut files = Vec::new();
                for pattern in &args.sql {
                    files.extend(policy::expand_sql_files(pattern).map_err(RunError)?);
                }
                policy::TargetSource::Sql(policy::SqlTarget {
                    files,
                    scratch_url: None,
                })
            }
        };
        policy::Target {
            name: "snapshot".into(),
            source,
            schemas,
            schema_pattern: None,
            databases: None,
        }
    };
    let env: &source::Env = &process_env;
    let read_timeout = args.read_timeout.map_or(read_timeout, |ReadTimeout(t)| t);
    let tunnels = source::Tunnels::default();
    let read = source::read_targets(&[&target], env, &tunnels, read_timeout)
        .await
        .remove(&target.name)
        .unwrap_or_else(|| {
            Err(source::SourceError {
                target: target.name.clone(),
                message: "was not read".into(),
            })
        })
        .map_err(|e| RunError(e.to_string()))?;
    let captured_at = snapshot::now_rfc3339();
    let snap = snapshot::Snapshot::new(
        read.schema.clone(),
        read.server_version.clone(),
        (!args.no_timestamp).then(|| captured_at.clone()),
    );
    if let Some(dir) = &args.history {
        match snapshot::store(dir, &snap, &snapshot::stamp_of(&captured_at))
            .map_err(|e| RunError(e.to_string()))?
        {
            Some(path) => stderrln!("pgdrift: stored {}", path.display()),
            None => stderrln!(
                "pgdrift: no change since the latest snapshot in {}; nothing stored",
                dir.display()
            ),
        }
    }
    match &args.output {
        Some(path) => report::write_atomic(path, &snap.to_text())
            .map_err(|e| RunError(format!("cannot write {}: {e}", path.display())))?,
        None if args.history.is_none() => stdout!("{}", snap.to_text()),
        None => {}
    }
    Ok(())
}

/// `pgdrift history DIR`: one line per stored version, with what changed since the one
/// before; or the same timeline as JSON (`--json`) and as a page (`--html FILE`).
fn history_command(args: &HistoryArgs) -> Result<(), RunError> {
    let date = |flag: &str, value: &Option<String>| match value {
        Some(d) => Date::parse(d)
            .map(Some)
            .ok_or_else(|| RunError(format!("{flag} takes a date like 2026-10-01, not `{d}`"))),
        None => Ok(None),
    };
    let since = date("--since", &args.since)?;
    let until = date("--until", &args.until)?;
    let versions = snapshot::versions(&args.dir).map_err(|e| RunError(e.to_string()))?;
    let mut pairs = Vec::new();
    for pair in args.compare.chunks(2) {
        let (a, b) = (pair[0], pair[1]);
        for n in [a, b] {
            if n == 0 || n > versions.len() {
                return Err(RunError(format!(
                    "--compare {a} {b}: no version {n}; the history holds versions 1 to {}",
                    versions.len()
                )));
            }
        }
        if a == b {
            return Err(RunError(format!(
                "--compare {a} {b}: name two different versions"
            )));
        }
        pairs.push((a.min(b), a.max(b)));
    }
    if !pairs.is_empty() && !args.json && args.html.is_none() {
        return Err(RunError(
            "--compare adds a comparison to the timeline of --json or --html; give one of them"
                .into(),
        ));
    }
    if versions.is_empty() && !args.json && args.html.is_none() {
        stdoutln!("{}: no snapshots yet", args.dir.display());
        return Ok(());
    }
    let text = !args.json && args.html.is_none();
    let mut builder = crate::history::Builder::new(pairs);
    let mut previous: Option<Schema> = None;
    for v in &versions {
        let snap = snapshot::Snapshot::load(&v.path).map_err(|e| RunError(e.to_string()))?;
        let day = v.date();
        let shown = since.is_none_or(|s| day.is_some_and(|d| d >= s))
            && until.is_none_or(|u| day.is_some_and(|d| d <= u));
        if text {
            if shown {
                let summary = match &previous {
                    None => format!("first capture: {}", schema_size(&snap.schema)),
                    Some(before) => change_summary(&diff::diff(before, &snap.schema)),
                };
                // A snapshot file is data like any other: its timestamp is shown escaped.
                let when = report::visible(snap.captured_at.as_deref().unwrap_or(&v.stamp));
                stdoutln!("{:>4}  {when}  {summary}", v.number);
            }
            previous = Some(snap.schema);
        } else {
            builder.push(v.number, &v.stamp, shown, snap);
        }
    }
    if text {
        return Ok(());
    }
    let timeline = builder.finish();
    if let Some(path) = &args.html {
        report::write_atomic(path, &report::history::render(&timeline))
            .map_err(|e| RunError(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.json {
        report::write_atomic(Path::new("-"), &timeline.to_json())
            .map_err(|e| RunError(format!("cannot write the JSON: {e}")))?;
    }
    Ok(())
}

fn schema_size(schema: &Schema) -> String {
    let tables: usize = schema.schemas.values().map(|n| n.tables.len()).sum();
    let columns: usize = schema
        .schemas
        .values()
        .flat_map(|n| n.tables.values())
        .map(|t| t.columns.len())
        .sum();
    let indexes: usize = schema
        .schemas
        .values()
        .flat_map(|n| n.tables.values())
        .map(|t| t.indexes.len())
        .sum();
    format!("{tables} tables, {columns} columns, {indexes} indexes")
}

/// `+2 tables, -1 column, ~3 indexes`: what a comparison of two versions found, by kind.
fn change_summary(c: &diff::Comparison) -> String {
    if c.findings.is_empty() {
        return "no change".into();
    }
    let mut counts: BTreeMap<(&str, char), usize> = BTreeMap::new();
    for f in &c.findings {
        let sign = match f.rule.presence() {
            Some(Presence::Extra) => '+',
            Some(Presence::Missing) => '-',
            None => '~',
        };
        let noun = match f.rule.family() {
            family @ ("grant" | "owner" | "comment") => family,
            _ => f.kind.as_str(),
        };
        *counts.entry((noun, sign)).or_default() += 1;
    }
    counts
        .iter()
        .map(|((noun, sign), n)| {
            let noun = noun.replace('_', " ");
            if *n == 1 {
                format!("{sign}{n} {noun}")
            } else {
                format!("{sign}{n} {noun}s")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The policy `plan` and `apply` work from: a policy file, or the two sides of a one-off.
fn plan_policy(
    command: &str,
    policy: &Option<PathBuf>,
    expected: &Option<String>,
    actual: &Option<String>,
    check: &Option<String>,
) -> Result<Policy, RunError> {
    let policy = match (policy, expected, actual) {
        (Some(path), _, _) => policy::load(path, &process_env)
            .map_err(|e| RunError(format!("the policy has problems:\n{e}")))?,
        (None, Some(expected), Some(actual)) => one_off_policy(expected, actual)?,
        _ => {
            return Err(RunError(format!(
                "give the two sides (`pgdrift {command} EXPECTED ACTUAL`) or a policy \
                 (`--policy P`)"
            )));
        }
    };
    if let Some(name) = check
        && !policy.checks.iter().any(|c| &c.name == name)
    {
        let names: Vec<&str> = policy.checks.iter().map(|c| c.name.as_str()).collect();
        return Err(RunError(format!(
            "the policy has no check named `{name}` (its checks: {})",
            names.join(", ")
        )));
    }
    Ok(policy)
}

/// `pgdrift plan`: plan every (selected) check, write the script, say what was left out.
async fn plan_command(args: &PlanArgs) -> Result<Status, RunError> {
    use crate::plan::script;
    let started = std::time::Instant::now();
    let mut policy = plan_policy(
        "plan",
        &args.policy,
        &args.expected,
        &args.actual,
        &args.check,
    )?;
    let today = apply_overrides(&mut policy.settings, &args.overrides)?;
    let request = run::plan::PlanRequest {
        check: args.check.clone(),
        allow_destructive: args.allow_destructive,
        down: args.down.is_some(),
        online: args.online,
    };
    let pairs = run::plan::plan_checks(&policy, today, &request).await;
    let mut failed = Vec::new();
    let mut up = String::new();
    let mut down = String::new();
    let mut needed = false;
    let mut json_plans = Vec::new();
    let mut grouped: Vec<(String, Vec<(String, script::Header)>)> = Vec::new();
    for pair in &pairs {
        match &pair.outcome {
            Err(errors) => failed.push(format!("{}: {}", pair.check, errors.join("; "))),
            Ok(planned) if args.deps => {
                let analysis = crate::plan::deps::analyze(&planned.expected_schema);
                if args.json {
                    json_plans
                        .push(serde_json::to_string_pretty(&analysis).unwrap_or_default() + "\n");
                } else {
                    up.push_str(&format!(
                        "check {} (expected: {})\n",
                        script::comment_text(&pair.check),
                        script::comment_text(&pair.expected)
                    ));
                    up.push_str(&crate::plan::deps::render(&analysis));
                }
            }
            Ok(planned) => {
                let header = script::Header {
                    expected: pair.expected.clone(),
                    actual: pair.actual.clone(),
                };
                needed |= !planned.plan.is_empty();
                if args.json {
                    json_plans.push(script::json(&planned.plan, &header));
                } else {
                    // Identical plans (a fleet's members that drifted the same way) are
                    // printed once, with every target they are for.
                    let body = script::render(
                        &planned.plan,
                        &script::Header {
                            actual: String::new(),
                            ..header.clone()
                        },
                    );
                    match grouped.iter_mut().find(|(b, _)| *b == body) {
                        Some((_, members)) => members.push((pair.check.clone(), header)),
                        None => grouped.push((body, vec![(pair.check.clone(), header)])),
                    }
                }
                if let Some(back) = &planned.down {
                    let header = script::Header {
                        expected: pair.actual.clone(),
                        actual: pair.expected.clone(),
                    };
                    down.push_str(&script::render(back, &header));
                }
                summarize_plan(&pair.check, &planned.plan);
            }
        }
    }
    if !failed.is_empty() {
        return Err(RunError(failed.join("\n")));
    }
    for (body, members) in &grouped {
        if let [(check, header)] = members.as_slice() {
            if pairs.len() > 1 {
                up.push_str(&format!("-- check: {}\n", script::comment_text(check)));
            }
            up.push_str(&script::render_with_header(body, header));
        } else {
            let names: Vec<String> = members
                .iter()
                .map(|(_, h)| script::comment_text(&h.actual))
                .collect();
            up.push_str(&format!(
                "-- The same plan for {} targets: {}\n",
                members.len(),
                names.join(", ")
            ));
            up.push_str(body);
        }
    }
    let text = if args.json {
        if json_plans.len() == 1 {
            json_plans.remove(0)
        } else {
            format!("[\n{}]\n", json_plans.join(",\n"))
        }
    } else {
        up
    };
    match &args.output {
        Some(path) => crate::fs::write_atomic(path, &text)
            .map_err(|e| RunError(format!("cannot write {}: {e}", path.display())))?,
        None => stdout!("{text}"),
    }
    if let Some(path) = &args.down {
        crate::fs::write_atomic(path, &down)
            .map_err(|e| RunError(format!("cannot write {}: {e}", path.display())))?;
    }
    if args.timings {
        stderr!("{}", crate::timings::take_rendered(started.elapsed()));
    }
    Ok(if needed && !args.deps {
        Status::Violations
    } else {
        Status::Clean
    })
}

/// `pgdrift apply`: plan, print the plan and the pre-checks, and with `--yes` run it.
async fn apply_command(args: &ApplyArgs) -> Result<Status, RunError> {
    use crate::plan::script;
    use crate::source::apply;
    let mut policy = plan_policy(
        "apply",
        &args.policy,
        &args.expected,
        &args.actual,
        &args.check,
    )?;
    let today = apply_overrides(&mut policy.settings, &args.overrides)?;
    let request = run::plan::PlanRequest {
        check: args.check.clone(),
        allow_destructive: args.allow_destructive,
        down: false,
        online: args.online,
    };
    let pairs = run::plan::plan_checks(&policy, today, &request).await;
    // A tunnel a target needs stays open while its client applies.
    let tunnels = source::Tunnels::default();
    let mut status = Status::Clean;
    for pair in &pairs {
        let planned = match &pair.outcome {
            Ok(p) => p,
            Err(errors) => return Err(RunError(format!("{}: {}", pair.check, errors.join("; ")))),
        };
        let header = script::Header {
            expected: pair.expected.clone(),
            actual: pair.actual.clone(),
        };
        stdout!("{}", script::render(&planned.plan, &header));
        summarize_plan(&pair.check, &planned.plan);
        if planned.plan.is_empty() {
            continue;
        }
        let target = policy.targets.get(&pair.actual).ok_or_else(|| {
            RunError(format!(
                "{}: apply works on one database at a time; `{}` is a member of a fleet",
                pair.check, pair.actual
            ))
        })?;
        let (client, scope) = source::connect_live(target, &process_env, &tunnels)
            .await
            .map_err(|e| RunError(e.to_string()))?;
        let checks = apply::prechecks(&client, &planned.plan, policy.settings.read_timeout)
            .await
            .map_err(|e| RunError(format!("{}: pre-checks failed: {e}", pair.check)))?;
        if !checks.is_empty() {
            stdoutln!(
                "\n-- Pre-checks against {} (read-only):",
                script::comment_text(&pair.actual)
            );
            let mut shown: Vec<&str> = Vec::new();
            for c in &checks {
                // Roles that exist need no line; each answer once.
                let quiet = c.ok && matches!(c.check, crate::plan::PreCheck::Role { .. });
                if quiet || shown.contains(&c.detail.as_str()) {
                    continue;
                }
                shown.push(&c.detail);
                let mark = if c.ok { "ok     " } else { "BLOCKS " };
                stdoutln!("--   {mark}{}", script::comment_text(&c.detail));
            }
        }
        let blocked = checks.iter().any(|c| !c.ok);
        if !args.yes {
            status = Status::Violations;
            stderrln!(
                "pgdrift apply: dry run, nothing changed{}; run again with --yes to apply",
                if blocked {
                    " (a pre-check says the plan would fail on the current data)"
                } else {
                    ""
                }
            );
            continue;
        }
        let plan_text = script::render(&planned.plan, &header);
        let options = apply::ApplyOptions {
            lock_timeout: args.lock_timeout.clone(),
            statement_timeout: args.statement_timeout.clone(),
            backup: !args.no_backup,
            plan_id: format!("{:08x}", crate::text::fnv1a(plan_text.as_bytes()) as u32),
            read_timeout: policy.settings.read_timeout,
        };
        let expected = planned.expected_schema.clone();
        let settings = policy.settings.clone();
        let allow = args.allow_destructive;
        let leftover = move |now: &Schema| -> Vec<String> {
            match run::plan::plan_pair(&expected, now, &settings, today, allow) {
                Err(e) => vec![e],
                Ok(again) => again
                    .steps
                    .iter()
                    .flat_map(|s| {
                        if s.fixes.is_empty() {
                            vec![format!("{} {}", s.operation.as_str(), s.object)]
                        } else {
                            s.fixes
                                .iter()
                                .map(|f| format!("{} {}", f.rule, f.object))
                                .collect()
                        }
                    })
                    .collect(),
            }
        };
        let planned_from = apply::schema_hash(&planned.actual_schema);
        match apply::execute(
            &client,
            &planned.plan,
            &planned.actual_schema,
            planned_from,
            &scope,
            &options,
            &leftover,
        )
        .await
        {
            Ok(applied) => {
                stderrln!(
                    "pgdrift apply: {}: converged ({} statements{})",
                    pair.check,
                    applied.statements,
                    if applied.backups.is_empty() {
                        String::new()
                    } else {
                        format!("; backups: {}", applied.backups.join(", "))
                    }
                );
            }
            Err(e) => return Err(RunError(format!("{}: {e}", pair.check))),
        }
    }
    Ok(status)
}

/// One line per check on standard error: how many steps, which hazards, what was not planned.
fn summarize_plan(check: &str, plan: &crate::plan::Plan) {
    let hazards: Vec<&str> = plan.hazards().iter().map(|h| h.code()).collect();
    let mut line = format!(
        "pgdrift plan: {}: {} step{}",
        crate::plan::script::comment_text(check),
        plan.steps.len(),
        if plan.steps.len() == 1 { "" } else { "s" }
    );
    if !hazards.is_empty() {
        line.push_str(&format!(" (hazards: {})", hazards.join(", ")));
    }
    stderrln!("{line}");
    for np in &plan.not_planned {
        stderrln!(
            "  not planned: {} {}: {}",
            np.rule,
            crate::plan::script::comment_text(&np.object),
            np.reason
        );
    }
}

fn hazards() {
    for h in crate::plan::Hazard::ALL {
        stdoutln!("{:<36} {}", h.code(), h.meaning());
    }
}

fn rules(id: Option<&str>) -> Result<(), RunError> {
    match id {
        Some(id) => {
            let rule = crate::rules::rule(id).ok_or_else(|| {
                let close: Vec<&str> = RULES
                    .iter()
                    .map(|r| r.id)
                    .filter(|r| Some(r.family()) == id.split('.').next())
                    .map(RuleId::as_str)
                    .collect();
                RunError(if close.is_empty() {
                    format!("unknown rule `{id}`; `pgdrift rules` lists them all")
                } else {
                    format!(
                        "unknown rule `{id}`; did you mean one of: {}",
                        close.join(", ")
                    )
                })
            })?;
            stdoutln!("{}", rule.id);
            stdoutln!("  {}", rule.summary);
            stdoutln!(
                "  category: {}, default severity: {}",
                rule.category.as_str(),
                rule.default_severity.as_str()
            );
            stdoutln!();
            stdoutln!("  {}", rule.explanation);
        }
        None => {
            let mut by_category: BTreeMap<&str, Vec<&crate::rules::Rule>> = BTreeMap::new();
            for r in RULES {
                by_category.entry(r.category.as_str()).or_default().push(r);
            }
            for r in RULES {
                stdoutln!(
                    "{:<24} {:<8} {:<11} {}",
                    r.id,
                    r.default_severity.as_str(),
                    r.category.as_str(),
                    r.summary
                );
            }
        }
    }
    Ok(())
}

/// Where the rule reference (`docs/rules.md`) of this version is published, from
/// `PGDRIFT_DOCS_URL` (the GitHub Action sets it to the file at the action's own ref): SARIF
/// rules link their section there. Only an `https://` or `http://` address is taken.
fn docs_url(env: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    env("PGDRIFT_DOCS_URL")
        .map(|u| u.trim().to_string())
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .filter(|u| !u.contains(char::is_whitespace))
}
