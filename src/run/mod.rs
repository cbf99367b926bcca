//! The run: every check of a policy, from reading targets to a verdict. Sources are read
//! concurrently (all single targets at once; fleet members with bounded concurrency, each
//! compared as soon as it is read and then dropped, so memory stays flat however large the
//! fleet); the pure stages (normalize, diff, evaluate) turn each pair into findings.

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::StreamExt;

pub mod plan;

use crate::diff;
use crate::evaluate::{CheckVerdict, Judge, Outcome, Verdict};
use crate::model::Schema;
use crate::normalize;
use crate::policy::{self, Databases, Date, Policy, Settings, Target, TargetSource};
use crate::report;
use crate::source::conninfo::process_env;
use crate::source::{self, ReadSchema, SourceError, locations::Locations};
use crate::timings;

/// How to run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Fleet members read at once.
    pub jobs: usize,
    /// `Some((i, n))`: run only the i-th (1-based) of n stable slices of the (check, target)
    /// pairs.
    pub shard: Option<(usize, usize)>,
    /// Also plan each check's fix (for the Markdown report's "fix" section).
    pub plans: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: default_jobs(),
            shard: None,
            plans: false,
        }
    }
}

/// Enough to keep a small server's connection slots free: twice the cores, at most 8.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map_or(4, |n| n.get() * 2)
        .clamp(2, 8)
}

/// Progress of a run, for a progress bar or log lines.
#[derive(Debug, Clone)]
pub struct Progress<'a> {
    pub check: &'a str,
    pub target: &'a str,
    pub done: usize,
    pub total: usize,
    /// Targets with findings or errors so far, in this check.
    pub drifted: usize,
}

/// What a run produced: the verdict, and what reports want to know about the targets.
pub struct Run {
    pub verdict: Verdict,
    /// Every target's foreign keys, for the picture in the HTML report.
    pub relations: report::Relations,
    /// Source locations per target (SQL-file targets only).
    pub locations: BTreeMap<String, Locations>,
}

/// The pure middle of the flow for one pair of schemas: normalize the actual side against the
/// expected one, then diff.
pub fn compare(expected: &Schema, actual: &Schema, settings: &Settings) -> diff::Comparison {
    // Borrowed: a large actual schema is copied only if an equivalence has to change it.
    let actual = timings::time("normalize", || {
        normalize::normalize_ref(expected, actual, &normalize::Equivalences::of(settings))
    });
    timings::time("diff", || diff::diff(expected, &actual))
}

fn compare_owned(expected: &Schema, actual: Schema, settings: &Settings) -> diff::Comparison {
    let actual = timings::time("normalize", || {
        normalize::normalize(expected, actual, &normalize::Equivalences::of(settings))
    });
    timings::time("diff", || diff::diff(expected, &actual))
}

/// Stable shard of a (check, target) pair: FNV-1a of both names, so a pair stays in its shard
/// whatever else joins or leaves the fleet.
pub fn shard_of(check: &str, target: &str, shards: usize) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in check.bytes().chain([0]).chain(target.bytes()) {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % shards.max(1) as u64) as usize
}

fn in_shard(options: &RunOptions, check: &str, target: &str) -> bool {
    options
        .shard
        .is_none_or(|(i, n)| shard_of(check, target, n) == i - 1)
}

/// One actual schema of a check: a plain target, a database of a fleet, or a tenant schema.
struct Member {
    /// Display name: the target name, `target/database` or `target/schema`.
    name: String,
    kind: MemberKind,
}

enum MemberKind {
    /// A target read with the single targets.
    Single(String),
    /// A database of a `databases` fleet: the target with its database replaced.
    Database(Box<Target>),
    /// A tenant schema, already read as part of its database.
    Tenant {
        schema: Arc<ReadSchema>,
        tenant: String,
    },
}

/// Read every target the checks name and compare them under the policy's settings; `today`
/// decides which waivers have expired; `progress` hears about each fleet member as it is done.
pub async fn run_checks(
    policy: &Policy,
    today: Date,
    options: RunOptions,
    progress: &(dyn Fn(Progress<'_>) + Sync),
) -> Run {
    let env: &source::Env = &process_env;
    // Tunnels to bastions stay open for the run, so the members of a fleet share them.
    let tunnels = source::Tunnels::default();
    let tunnels = &tunnels;
    // Single targets (every expected side, and actual sides that are not fleets) are read
    // once each, all at once.
    let all: Vec<&policy::Check> = policy.checks.iter().collect();
    let singles = single_targets(policy, &all);
    let read_timeout = policy.settings.read_timeout;
    let schemas = source::read_targets(&singles, env, tunnels, read_timeout).await;
    // What was read is worth a report: a signal from now on stops the comparing, not the run.
    crate::interrupt::observe();
    let relations: report::Relations = timings::time("report (foreign keys)", || {
        schemas
            .iter()
            .filter_map(|(name, s)| {
                let read = s.as_ref().ok()?;
                Some((name.clone(), report::foreign_keys(&read.schema)))
            })
            .collect()
    });
    let locations = schemas
        .iter()
        .filter_map(|(name, s)| {
            let read = s.as_ref().ok()?;
            (!read.locations.is_empty()).then(|| (name.clone(), read.locations.clone()))
        })
        .collect();
    let single = |name: &str| read_single(&schemas, name);

    let mut judge = Judge::new(&policy.settings, today);
    let mut checks = Vec::new();
    for check in &policy.checks {
        let expected = single(&check.expected);
        // Expand the actual side into members; a fleet that cannot be expanded fails as one.
        let mut members: Vec<Result<Member, (String, String)>> = Vec::new();
        for name in &check.actual {
            let Some(target) = policy.targets.get(name) else {
                continue;
            };
            if let Some(signal) = crate::interrupt::raised() {
                members.push(Err((name.clone(), crate::interrupt::not_compared(signal))));
                continue;
            }
            members.extend(expand(target, env, tunnels, read_timeout).await);
        }
        let is_fleet = is_fleet(policy, check, members.len());
        members.retain(|m| {
            let name = match m {
                Ok(m) => &m.name,
                Err((name, _)) => name,
            };
            in_shard(&options, &check.name, name)
        });
        let total = members.len();
        let member_names: Vec<String> = members
            .iter()
            .map(|m| match m {
                Ok(m) => m.name.clone(),
                Err((name, _)) => name.clone(),
            })
            .collect();
        let template = match &expected {
            Ok(e) => template_schema(check, &e.schema),
            Err(_) => Ok(String::new()),
        };

        let settings = &policy.settings;
        let expected_ref = &expected;
        let template_ref = &template;
        let single_ref = &single;
        let mut stream = futures_util::stream::iter(members)
            .map(|member| async move {
                let (name, actual) = match member {
                    Err((name, message)) => (name, Err(vec![message])),
                    Ok(m) => {
                        let read = read_member(&m, single_ref, env, tunnels, read_timeout).await;
                        (m.name, read)
                    }
                };
                let expected = match expected_ref {
                    Ok(e) => e,
                    Err(e) => {
                        let mut errors = vec![e.to_string()];
                        errors.extend(actual.err().unwrap_or_default());
                        return (name, Err(errors));
                    }
                };
                let comparison = actual.and_then(|(schema, tenant)| match tenant {
                    None => {
                        let actual_schema = match &schema {
                            MemberSchema::Shared(read) => &read.schema,
                            MemberSchema::Own(schema) => schema,
                        };
                        let header = crate::plan::script::Header {
                            expected: check.expected.clone(),
                            actual: name.clone(),
                        };
                        let fix = options
                            .plans
                            .then(|| {
                                fix_for(&expected.schema, actual_schema, settings, today, &header)
                            })
                            .flatten();
                        let comparison = match schema {
                            MemberSchema::Shared(read) => {
                                compare(&expected.schema, &read.schema, settings)
                            }
                            MemberSchema::Own(schema) => {
                                compare_owned(&expected.schema, schema, settings)
                            }
                        };
                        Ok((comparison, fix))
                    }
                    Some(tenant) => {
                        let template = template_ref.clone().map_err(|m| vec![m])?;
                        let mut s = settings.clone();
                        s.rename_schemas.insert(tenant, template);
                        Ok((
                            compare_owned(&expected.schema, schema.into_owned(), &s),
                            None,
                        ))
                    }
                });
                (name, comparison)
            })
            .buffer_unordered(options.jobs.max(1));
        let mut results: Vec<(String, Outcome, Option<crate::evaluate::Fix>)> =
            Vec::with_capacity(total);
        let mut drifted = 0;
        loop {
            let next = tokio::select! {
                biased;
                signal = crate::interrupt::wait() => Err(signal),
                next = stream.next() => Ok(next),
            };
            let (name, comparison) = match next {
                Ok(Some(next)) => next,
                Ok(None) => break,
                Err(signal) => {
                    // Reads in flight are dropped (their cleanups run before the process
                    // exits); what was not compared says so.
                    for name in &member_names {
                        if !results.iter().any(|(done, _, _)| done == name) {
                            let errors = vec![crate::interrupt::not_compared(signal)];
                            results.push((name.clone(), Outcome::Failed { errors }, None));
                        }
                    }
                    break;
                }
            };
            let (outcome, fix) = match comparison {
                Ok((comparison, fix)) => (timings::time("judge", || judge.check(comparison)), fix),
                Err(errors) => (Outcome::Failed { errors }, None),
            };
            if !matches!(&outcome, Outcome::Compared { findings, .. } if findings.is_empty()) {
                drifted += 1;
            }
            if is_fleet {
                progress(Progress {
                    check: &check.name,
                    target: &name,
                    done: results.len() + 1,
                    total,
                    drifted,
                });
            }
            results.push((name, outcome, fix));
        }
        results.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, outcome, fix) in results {
            checks.push(CheckVerdict {
                name: member_check_name(check, &name, is_fleet),
                expected: check.expected.clone(),
                actual: name,
                policy_line: Some(check.line),
                fleet: is_fleet.then(|| check.name.clone()),
                outcome,
                fix,
            });
        }
    }
    free_in_background(schemas);
    Run {
        verdict: Verdict {
            checks,
            policy_findings: judge.finish(),
            fail_on: policy.settings.fail_on,
        },
        relations,
        locations,
    }
}

/// Free `value` on a thread of its own. The schemas read are every string of both catalogs:
/// freeing them took 5% of a check's CPU at 1,000 tables, on the way to the reports, and a
/// process that exits before the thread is done need not free them at all. Where no thread
/// can be started, the value is freed here.
fn free_in_background<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("free".to_string())
        .spawn(move || drop(value));
}

/// The plan that fixes a pair, for reports; none when it cannot be made or has nothing to do.
fn fix_for(
    expected: &Schema,
    actual: &Schema,
    settings: &Settings,
    today: Date,
    header: &crate::plan::script::Header,
) -> Option<crate::evaluate::Fix> {
    let plan = timings::time("plan", || {
        plan::plan_pair(
            expected,
            actual,
            settings,
            today,
            settings.plan.allow_destructive,
        )
    })
    .ok()?;
    if plan.is_empty() && plan.not_planned.is_empty() {
        return None;
    }
    Some(crate::evaluate::Fix {
        steps: plan.steps.len(),
        hazards: plan
            .hazards()
            .iter()
            .map(|h| h.code().to_string())
            .collect(),
        not_planned: plan.not_planned.len(),
        script: crate::plan::script::render(&plan, header),
    })
}

/// The targets read once each for `checks`: every expected side, and actual sides that are not
/// fleets.
fn single_targets<'p>(policy: &'p Policy, checks: &[&policy::Check]) -> Vec<&'p Target> {
    let mut singles: Vec<&Target> = Vec::new();
    for check in checks {
        for name in std::iter::once(&check.expected).chain(&check.actual) {
            if let Some(t) = policy.targets.get(name)
                && !t.is_fleet()
                && !singles.iter().any(|s| s.name == t.name)
            {
                singles.push(t);
            }
        }
    }
    singles
}

/// A target read with the single targets, or why it is not there.
fn read_single(
    schemas: &BTreeMap<String, Result<Arc<ReadSchema>, SourceError>>,
    name: &str,
) -> Result<Arc<ReadSchema>, SourceError> {
    schemas.get(name).cloned().unwrap_or_else(|| {
        Err(SourceError {
            target: name.to_string(),
            message: "was not read".into(),
        })
    })
}

/// Whether a check's actual side stands for many targets (so each gets its own verdict).
fn is_fleet(policy: &Policy, check: &policy::Check, members: usize) -> bool {
    members > 1
        || check
            .actual
            .iter()
            .any(|a| policy.targets.get(a).is_some_and(Target::is_fleet))
}

/// The name of one member's result: the check's own, or with the member for a fleet.
fn member_check_name(check: &policy::Check, member: &str, fleet: bool) -> String {
    if fleet {
        format!("{} [{member}]", check.name)
    } else {
        check.name.clone()
    }
}

/// The schema every tenant schema of a check is compared against.
fn template_schema(check: &policy::Check, expected: &Schema) -> Result<String, String> {
    if let Some(t) = &check.template_schema {
        return Ok(t.clone());
    }
    let mut names = expected.schemas.keys();
    match (names.next(), names.next()) {
        (Some(only), None) => Ok(only.clone()),
        _ => Err(format!(
            "check `{}` compares tenant schemas, but its expected side has {} schemas: set \
             `template_schema` on the check, or `schemas = [\"...\"]` on the expected target",
            check.name,
            expected.schemas.len()
        )),
    }
}

/// The members of one actual target.
async fn expand(
    target: &Target,
    env: &source::Env,
    tunnels: &source::Tunnels,
    read_timeout: Option<std::time::Duration>,
) -> Vec<Result<Member, (String, String)>> {
    if let Some(databases) = &target.databases {
        let names = match databases {
            Databases::List(list) => Ok(list.clone()),
            Databases::Pattern(p) => source::list_databases(target, env, tunnels, read_timeout)
                .await
                .map(|all| all.into_iter().filter(|d| p.matches(d)).collect())
                .map_err(|e| e.to_string()),
        };
        return match names {
            Err(message) => vec![Err((target.name.clone(), message))],
            Ok(names) if names.is_empty() => vec![Err((
                target.name.clone(),
                "the `databases` pattern matches no database on the server".into(),
            ))],
            Ok(names) => names
                .into_iter()
                .map(|db| {
                    let mut member = target.clone();
                    member.databases = None;
                    if let TargetSource::Live(live) = &mut member.source {
                        live.database = Some(db.clone());
                    }
                    member.name = format!("{}/{db}", target.name);
                    Ok(Member {
                        name: member.name.clone(),
                        kind: MemberKind::Database(Box::new(member)),
                    })
                })
                .collect(),
        };
    }
    if let Some(pattern) = &target.schema_pattern {
        // The database is read once; each matching schema becomes a member.
        let mut whole = target.clone();
        whole.schema_pattern = None;
        whole.schemas = None;
        let read = source::read_targets(&[&whole], env, tunnels, read_timeout)
            .await
            .remove(&whole.name)
            .unwrap_or_else(|| {
                Err(SourceError {
                    target: whole.name.clone(),
                    message: "was not read".into(),
                })
            });
        let read = match read {
            Ok(r) => r,
            Err(e) => return vec![Err((target.name.clone(), e.to_string()))],
        };
        let tenants: Vec<String> = read
            .schema
            .schemas
            .keys()
            .filter(|s| pattern.matches(s))
            .cloned()
            .collect();
        if tenants.is_empty() {
            return vec![Err((
                target.name.clone(),
                format!("the `schemas` pattern `{}` matches no schema", pattern.text),
            ))];
        }
        return tenants
            .into_iter()
            .map(|tenant| {
                Ok(Member {
                    name: format!("{}/{tenant}", target.name),
                    kind: MemberKind::Tenant {
                        schema: read.clone(),
                        tenant,
                    },
                })
            })
            .collect();
    }
    vec![Ok(Member {
        name: target.name.clone(),
        kind: MemberKind::Single(target.name.clone()),
    })]
}

/// A member's schema: shared with the single targets (compared without copying it), or its
/// own (normalized in place).
enum MemberSchema {
    Shared(Arc<ReadSchema>),
    Own(Schema),
}

impl MemberSchema {
    fn into_owned(self) -> Schema {
        match self {
            MemberSchema::Shared(read) => {
                Arc::try_unwrap(read).map_or_else(|r| r.schema.clone(), |r| r.schema)
            }
            MemberSchema::Own(schema) => schema,
        }
    }
}

/// Read one member: its schema and, for a tenant schema, the tenant's name.
async fn read_member(
    member: &Member,
    single: &(dyn Fn(&str) -> Result<Arc<ReadSchema>, SourceError> + Sync),
    env: &source::Env,
    tunnels: &source::Tunnels,
    read_timeout: Option<std::time::Duration>,
) -> Result<(MemberSchema, Option<String>), Vec<String>> {
    match &member.kind {
        MemberKind::Single(name) => single(name)
            .map(|r| (MemberSchema::Shared(r), None))
            .map_err(|e| vec![e.to_string()]),
        MemberKind::Database(target) => {
            let read = source::read_targets(&[target.as_ref()], env, tunnels, read_timeout)
                .await
                .remove(&target.name)
                .unwrap_or_else(|| {
                    Err(SourceError {
                        target: target.name.clone(),
                        message: "was not read".into(),
                    })
                })
                .map_err(|e| vec![e.to_string()])?;
            // The only owner of a member's schema: take it without copying.
            let schema = Arc::try_unwrap(read).map_or_else(|r| r.schema.clone(), |r| r.schema);
            Ok((MemberSchema::Own(schema), None))
        }
        MemberKind::Tenant { schema, tenant } => {
            // As for a target limited to some schemas: the extensions installed into them.
            let mut one = Schema {
                extensions: schema
                    .schema
                    .extensions
                    .iter()
                    .filter(|(_, e)| &e.schema == tenant)
                    .map(|(n, e)| (n.clone(), e.clone()))
                    .collect(),
                ..Schema::default()
            };
            if let Some(ns) = schema.schema.schemas.get(tenant) {
                one.schemas.insert(tenant.clone(), ns.clone());
            }
            // And the edges between what is left, as a read of this one schema gives them.
            one.dependencies = (schema.schema.dependencies.iter())
                .filter(|d| one.contains(&d.from) && one.contains(&d.to))
                .cloned()
                .collect();
            Ok((MemberSchema::Own(one), Some(tenant.clone())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pair_lands_in_exactly_one_shard() {
        let targets: Vec<String> = (0..500).map(|i| format!("fleet/tenant_{i:03}")).collect();
        for n in [1, 2, 3, 7, 16] {
            let mut sizes = vec![0usize; n];
            for t in &targets {
                let shards: Vec<usize> = (1..=n)
                    .filter(|i| {
                        in_shard(
                            &RunOptions {
                                jobs: 1,
                                shard: Some((*i, n)),
                                plans: false,
                            },
                            "prod",
                            t,
                        )
                    })
                    .collect();
                assert_eq!(shards.len(), 1, "{t} in {shards:?} of {n}");
                sizes[shards[0] - 1] += 1;
            }
            // Roughly even: no shard gets less than half its share.
            assert!(
                sizes.iter().all(|s| *s * n * 2 >= targets.len()),
                "{sizes:?}"
            );
        }
        // Stable: the same pair always lands in the same shard.
        assert_eq!(
            shard_of("prod", "fleet/a", 5),
            shard_of("prod", "fleet/a", 5)
        );
    }
}
