//! Planning a policy's checks: read the targets as a check does, and for each pair of schemas
//! plan what the policy keeps (the pure stages: normalize, diff, evaluate, plan).

use std::sync::Arc;

use crate::diff;
use crate::evaluate::Judge;
use crate::model::Schema;
use crate::normalize::{self, Equivalences};
use crate::plan::{self, Plan, PlanOptions};
use crate::policy::{Date, Policy, Settings, Target};
use crate::source::conninfo::process_env;
use crate::source::{self, ReadSchema, SourceError};

use super::{MemberSchema, expand, read_member};

/// What to plan.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    /// Only this check (by name); all checks when `None`.
    pub check: Option<String>,
    pub allow_destructive: bool,
    /// Also plan the way back (expected → actual as it is now).
    pub down: bool,
}

/// The plan of one pair of schemas.
#[derive(Debug, Clone)]
pub struct PlannedPair {
    /// The check's name (with the member for fleets: `prod [fleet/tenant_1]`).
    pub check: String,
    pub expected: String,
    pub actual: String,
    pub outcome: Result<PairPlan, Vec<String>>,
}

/// A pair's plan, and its reverse when asked.
#[derive(Debug, Clone)]
pub struct PairPlan {
    pub plan: Plan,
    pub down: Option<Plan>,
    /// The actual schema as read (for the dry run's pre-checks and the stale-plan guard).
    pub actual_schema: Arc<Schema>,
    pub expected_schema: Arc<Schema>,
}

/// Plan options for a policy's settings: replay what the policy compares.
pub fn options_for(settings: &Settings, allow_destructive: bool) -> PlanOptions {
    PlanOptions {
        allow_destructive,
        owners: !settings.ignore.owners,
        grants: !settings.ignore.grants,
        comments: !settings.ignore.object_comments,
        roles: settings
            .rename_roles
            .iter()
            .map(|(actual, expected)| (expected.clone(), actual.clone()))
            .collect(),
    }
}

/// Plan `actual` → `expected` under `settings`: normalize, diff, keep what the policy wants
/// fixed, plan.
pub fn plan_pair(
    expected: &Schema,
    actual: &Schema,
    settings: &Settings,
    today: Date,
    allow_destructive: bool,
) -> Result<Plan, String> {
    if !settings.rename_schemas.is_empty() {
        return Err(
            "planning with schema renames is not supported yet: a definition copied from the \
             expected side would name the expected schema (run the plan per schema without \
             `rename.schemas`)"
                .into(),
        );
    }
    if !has_dependencies(expected) || !has_dependencies(actual) {
        // A snapshot of an older format has no dependency edges: a plan would be a guess.
        return Err(
            "a side has no dependency information (a snapshot written by an older \
             pgdrift?): re-capture it with this pgdrift to plan from it"
                .into(),
        );
    }
    let eq = Equivalences::of(settings);
    let actual = normalize::normalize_ref(expected, actual, &eq);
    let set = diff::changes(expected, &actual);
    let mut judge = Judge::new(settings, today);
    let findings = set.comparison().findings;
    let keep: Vec<&diff::Change<'_>> = set
        .changes
        .iter()
        .zip(&findings)
        .filter(|(_, f)| judge.wants_fixed(f))
        .map(|(c, _)| c)
        .collect();
    let options = options_for(settings, allow_destructive);
    plan::plan(expected, &actual, &keep, &options).map_err(|e| e.to_string())
}

/// Whether a model carries dependency edges (any schema with objects that depend on something
/// has some; an empty or trivially small schema may have none, which is fine).
fn has_dependencies(schema: &Schema) -> bool {
    if !schema.dependencies.is_empty() {
        return true;
    }
    // Constraints and indexes always need their columns, triggers their functions; a schema
    // without any (its views may read no table: `SELECT 1`) can have no edges at all.
    schema.schemas.values().all(|ns| {
        ns.tables
            .values()
            .all(|t| t.constraints.is_empty() && t.indexes.is_empty() && t.triggers.is_empty())
    })
}

/// The settings for the way back: the same rules with role renames turned around.
fn reversed(settings: &Settings) -> Settings {
    let mut s = settings.clone();
    s.rename_roles = settings
        .rename_roles
        .iter()
        .map(|(a, e)| (e.clone(), a.clone()))
        .collect();
    s
}

/// Read the targets of the policy's checks and plan each pair.
pub async fn plan_checks(policy: &Policy, today: Date, request: &PlanRequest) -> Vec<PlannedPair> {
    let env: &source::Env = &process_env;
    let checks: Vec<&crate::policy::Check> = policy
        .checks
        .iter()
        .filter(|c| request.check.as_ref().is_none_or(|n| &c.name == n))
        .collect();
    let mut singles: Vec<&Target> = Vec::new();
    for check in &checks {
        for name in std::iter::once(&check.expected).chain(&check.actual) {
            if let Some(t) = policy.targets.get(name)
                && !t.is_fleet()
                && !singles.iter().any(|s| s.name == t.name)
            {
                singles.push(t);
            }
        }
    }
    let schemas = source::read_targets(&singles, env).await;
    let single = |name: &str| -> Result<Arc<ReadSchema>, SourceError> {
        schemas.get(name).cloned().unwrap_or_else(|| {
            Err(SourceError {
                target: name.to_string(),
                message: "was not read".into(),
            })
        })
    };
    let mut out = Vec::new();
    for check in checks {
        let expected = single(&check.expected);
        let mut members = Vec::new();
        for name in &check.actual {
            if let Some(target) = policy.targets.get(name) {
                members.extend(expand(target, env).await);
            }
        }
        let is_fleet = members.len() > 1
            || check
                .actual
                .iter()
                .any(|a| policy.targets.get(a).is_some_and(Target::is_fleet));
        for member in members {
            let (name, actual) = match member {
                Err((name, message)) => (name, Err(vec![message])),
                Ok(m) => {
                    let read = read_member(&m, &single, env).await;
                    (m.name, read)
                }
            };
            let outcome = match (&expected, actual) {
                (Err(e), _) => Err(vec![e.to_string()]),
                (_, Err(errors)) => Err(errors),
                (Ok(_), Ok((_, Some(_)))) => Err(vec![
                    "planning tenant schemas against a template schema is not supported yet: a \
                     definition copied from the template would name the template's schema"
                        .to_string(),
                ]),
                (Ok(e), Ok((schema, None))) => {
                    let actual = match schema {
                        MemberSchema::Shared(read) => Arc::new(read.schema.clone()),
                        MemberSchema::Own(schema) => Arc::new(schema),
                    };
                    let expected = Arc::new(e.schema.clone());
                    plan_both(&expected, &actual, &policy.settings, today, request)
                        .map_err(|e| vec![e])
                }
            };
            out.push(PlannedPair {
                check: if is_fleet {
                    format!("{} [{name}]", check.name)
                } else {
                    check.name.clone()
                },
                expected: check.expected.clone(),
                actual: name,
                outcome,
            });
        }
    }
    out
}

fn plan_both(
    expected: &Arc<Schema>,
    actual: &Arc<Schema>,
    settings: &Settings,
    today: Date,
    request: &PlanRequest,
) -> Result<PairPlan, String> {
    let plan = plan_pair(expected, actual, settings, today, request.allow_destructive)?;
    let down = if request.down {
        // Back to the actual schema as it is now; whatever the forward plan drops comes back
        // from the backups, so the way back may drop what the forward plan adds.
        Some(plan_pair(
            actual,
            expected,
            &reversed(settings),
            today,
            true,
        )?)
    } else {
        None
    };
    Ok(PairPlan {
        plan,
        down,
        actual_schema: actual.clone(),
        expected_schema: expected.clone(),
    })
}
