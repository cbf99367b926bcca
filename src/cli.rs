//! The command line: parse arguments, run the flow (policy → sources → diff → evaluate →
//! reports), and hand `main` a status to turn into an exit code.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diff;
use crate::evaluate::{self, CheckVerdict, Outcome, Status, Verdict};
use crate::policy::{self, Policy};
use crate::report;
use crate::rules::{RULES, Severity};
use crate::source;

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
    /// List every rule id with its default severity, or explain one rule.
    Rules {
        /// A rule id such as `column.default`.
        id: Option<String>,
    },
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The policy file.
    #[arg(long, short, default_value = "schema-policy.toml")]
    pub policy: PathBuf,
    /// Write the JSON report to PATH (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// When to colour the terminal summary.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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
        Command::Check(args) => check(args).await,
        Command::Rules { id } => rules(id.as_deref()).map(|()| Status::Clean),
    }
}

fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

async fn check(args: CheckArgs) -> Result<Status, RunError> {
    let policy = policy::load(&args.policy, &process_env)
        .map_err(|e| RunError(format!("the policy has problems:\n{e}")))?;
    let verdict = run_checks(&policy).await;
    let status = verdict.status(Severity::Error);

    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let summary = report::terminal::render(&verdict, status, report::terminal::Style::new(color));
    // A report on standard output keeps it clean for pipes; the summary goes to stderr then.
    if args.json.as_deref() == Some(std::path::Path::new("-")) {
        eprint!("{summary}");
    } else {
        print!("{summary}");
    }
    if let Some(path) = &args.json {
        report::write_atomic(path, &report::json::render(&verdict, status)).map_err(|e| {
            RunError(format!(
                "cannot write the JSON report to {}: {e}",
                path.display()
            ))
        })?;
    }
    Ok(status)
}

/// Read every target the checks name (each once, all concurrently) and compare.
pub async fn run_checks(policy: &Policy) -> Verdict {
    let mut needed: Vec<&policy::Target> = Vec::new();
    for check in &policy.checks {
        for name in [&check.expected, &check.actual] {
            if let Some(t) = policy.targets.get(name)
                && !needed.iter().any(|n| n.name == t.name)
            {
                needed.push(t);
            }
        }
    }
    let env: &source::Env = &process_env;
    let schemas = source::read_targets(&needed, env).await;
    let checks = policy
        .checks
        .iter()
        .map(|check| {
            let side = |name: &str| {
                schemas.get(name).cloned().unwrap_or_else(|| {
                    Err(source::SourceError {
                        target: name.to_string(),
                        message: "was not read".into(),
                    })
                })
            };
            let outcome = match (side(&check.expected), side(&check.actual)) {
                (Ok(expected), Ok(actual)) => evaluate::judge(diff::diff(&expected, &actual)),
                (e, a) => Outcome::Failed {
                    errors: [e.err(), a.err()]
                        .into_iter()
                        .flatten()
                        .map(|e| e.to_string())
                        .collect(),
                },
            };
            CheckVerdict {
                name: check.name.clone(),
                expected: check.expected.clone(),
                actual: check.actual.clone(),
                policy_line: Some(check.line),
                outcome,
            }
        })
        .collect();
    Verdict { checks }
}

fn rules(id: Option<&str>) -> Result<(), RunError> {
    match id {
        Some(id) => {
            let rule = crate::rules::rule(id).ok_or_else(|| {
                let close: Vec<&str> = RULES
                    .iter()
                    .map(|r| r.id)
                    .filter(|r| r.split('.').next() == id.split('.').next())
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
            println!("{}", rule.id);
            println!("  {}", rule.summary);
            println!(
                "  category: {}, default severity: {}",
                rule.category.as_str(),
                rule.default_severity.as_str()
            );
            println!();
            println!("  {}", rule.explanation);
        }
        None => {
            let mut by_category: BTreeMap<&str, Vec<&crate::rules::Rule>> = BTreeMap::new();
            for r in RULES {
                by_category.entry(r.category.as_str()).or_default().push(r);
            }
            for r in RULES {
                println!(
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
