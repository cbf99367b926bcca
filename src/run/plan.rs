//! Planning a policy's checks: read the targets as a check does, and for each pair of schemas
//! plan what the policy keeps (the pure stages: normalize, diff, evaluate, plan).

use std::sync::Arc;

use crate::diff;
use crate::evaluate::Judge;
use crate::model::Schema;
use crate::normalize::{self, Equivalences};
use crate::plan::{self, Plan, PlanOptions};
use crate::policy::{Date, Policy, Settings};
use crate::source;
use crate::source::conninfo::process_env;

use super::{
    MemberSchema, expand, is_fleet, member_check_name, read_member, read_single, single_targets,
};

/// What to plan.
#[derive(Debug, Clone, Default)]
pub struct PlanRequest {
    /// Only this check (by name); all checks when `None`.
    pub check: Option<String>,
    pub allow_destructive: bool,
    /// Also plan the way back (expected → actual as it is now).
    pub down: bool,
    /// Concurrent index builds and validations after COMMIT.
    pub online: bool,
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
        tablespaces: !settings.ignore.tablespaces,
        roles: settings
            .rename_roles
            .iter()
            .map(|(actual, expected)| (expected.clone(), actual.clone()))
            .collect(),
        renames: Vec::new(),
        online: false,
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
    plan_pair_with(expected, actual, settings, today, allow_destructive, false)
}

/// `plan_pair`, online (`--online`) or not.
pub fn plan_pair_with(
    expected: &Schema,
    actual: &Schema,
    settings: &Settings,
    today: Date,
    allow_destructive: bool,
    online: bool,
) -> Result<Plan, String> {
    if !settings.rename_schemas.is_empty() {
        return Err(
            "planning with schema renames is not supported yet: a definition copied from the \
             expected side would name the expected schema (run the plan per schema without \
             `rename.schemas`)"
                .into(),
        );
    }
    let allow_destructive = allow_destructive || settings.plan.allow_destructive;
    let (renamed, renames) = apply_renames(actual, &settings.plan.renames)?;
    let actual = renamed.as_ref().unwrap_or(actual);
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
    let mut options = options_for(settings, allow_destructive);
    options.renames = renames;
    options.online = online;
    plan::plan(expected, &actual, &keep, &options).map_err(|e| e.to_string())
}

/// The actual schema with the policy's declared renames done (tables and columns re-keyed,
/// dependency edges renamed with them), and the rename statements. A rename whose old name is
/// gone and new name is there has been applied already and is skipped.
fn apply_renames(
    actual: &Schema,
    renames: &[(Vec<String>, Vec<String>)],
) -> Result<(Option<Schema>, Vec<plan::Rename>), String> {
    use crate::model::{ObjectKind, ObjectPath};
    if renames.is_empty() {
        return Ok((None, Vec::new()));
    }
    let mut schema = actual.clone();
    let mut out = Vec::new();
    // Tables first: a column rename may name its table by the old name or the new one.
    let mut ordered: Vec<&(Vec<String>, Vec<String>)> = renames.iter().collect();
    ordered.sort_by_key(|(from, _)| from.len());
    let mut table_renames: Vec<(String, String, String)> = Vec::new();
    for (from, to) in ordered {
        let mut from = from.clone();
        if from.len() == 3
            && let Some((_, _, new)) = table_renames
                .iter()
                .find(|(s, old, _)| *s == from[0] && *old == from[1])
        {
            from[1] = new.clone();
        }
        let from = &from;
        let shown = |parts: &[String]| parts.join(".");
        let ns = schema.schemas.get_mut(&from[0]);
        let (old, new) = match (from.as_slice(), ns) {
            ([s, t], Some(ns)) => {
                let new_name = &to[1];
                match ns.tables.remove(t) {
                    Some(table) => {
                        ns.tables.insert(new_name.clone(), table);
                        table_renames.push((s.clone(), t.clone(), new_name.clone()));
                        (
                            ObjectPath::in_schema(ObjectKind::Table, s, t),
                            ObjectPath::in_schema(ObjectKind::Table, s, new_name),
                        )
                    }
                    None if ns.tables.contains_key(new_name) => continue,
                    None => {
                        return Err(format!(
                            "[plan] renames `{}`: the actual schema has no table {}",
                            shown(from),
                            shown(from)
                        ));
                    }
                }
            }
            ([s, t, c], Some(ns)) => {
                let new_name = &to[2];
                let Some(table) = ns.tables.get_mut(t) else {
                    return Err(format!(
                        "[plan] renames `{}`: the actual schema has no table {s}.{t}",
                        shown(from)
                    ));
                };
                match table.columns.remove(c) {
                    Some(column) => {
                        table.columns.insert(new_name.clone(), column);
                        (
                            ObjectPath::child(ObjectKind::Column, s, t, c),
                            ObjectPath::child(ObjectKind::Column, s, t, new_name),
                        )
                    }
                    None if table.columns.contains_key(new_name) => continue,
                    None => {
                        return Err(format!(
                            "[plan] renames `{}`: the actual table has no column {c}",
                            shown(from)
                        ));
                    }
                }
            }
            _ => {
                return Err(format!(
                    "[plan] renames `{}`: the actual schema has no schema {}",
                    shown(from),
                    from[0]
                ));
            }
        };
        for d in &mut schema.dependencies {
            for path in [&mut d.from, &mut d.to] {
                if old.kind == ObjectKind::Table
                    && path.schema == old.schema
                    && (path.parent.as_deref() == Some(&old.name)
                        || (path.parent.is_none() && path.name == old.name))
                {
                    if path.parent.is_some() {
                        path.parent = Some(new.name.clone());
                    } else {
                        path.name.clone_from(&new.name);
                    }
                } else if *path == old {
                    *path = new.clone();
                }
            }
        }
        out.push(plan::Rename { from: old, to: new });
    }
    schema.dependencies.sort_unstable();
    schema.dependencies.dedup();
    Ok((Some(schema), out))
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
    let singles = single_targets(policy, &checks);
    let tunnels = source::Tunnels::default();
    let tunnels = &tunnels;
    let schemas = source::read_targets(&singles, env, tunnels, policy.settings.read_timeout).await;
    let single = |name: &str| read_single(&schemas, name);
    let mut out = Vec::new();
    for check in checks {
        let expected = single(&check.expected);
        let mut members = Vec::new();
        for name in &check.actual {
            if let Some(target) = policy.targets.get(name) {
                members.extend(expand(target, env, tunnels, policy.settings.read_timeout).await);
            }
        }
        let fleet = is_fleet(policy, check, members.len());
        for member in members {
            let (name, actual) = match member {
                Err((name, message)) => (name, Err(vec![message])),
                Ok(m) => {
                    let read =
                        read_member(&m, &single, env, tunnels, policy.settings.read_timeout).await;
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
                check: member_check_name(check, &name, fleet),
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
    let plan = crate::timings::time("plan", || {
        plan_pair_with(
            expected,
            actual,
            settings,
            today,
            request.allow_destructive,
            request.online,
        )
    })?;
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
