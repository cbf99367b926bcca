//! Plan: the SQL that turns the actual schema into the expected one. Pure: it takes the typed
//! change set of the diff (the changes the policy keeps) and the two models with their
//! dependency edges, and returns ordered steps, each with the findings it fixes and its hazards.
//! Nothing here reads or writes a database; `source::apply` runs a plan.
//!
//! How a plan is made:
//! 1. every change becomes steps on objects (create, drop, alter, replace = drop + create), or a
//!    "not planned" entry with the reason (never skipped silently);
//! 2. a change that invalidates dependents (a column's type, a dropped column, a replaced view,
//!    function or type) drops and recreates every transitive dependent found in the actual
//!    side's dependency edges, and replays its owner, grants and comments;
//! 3. what PostgreSQL does by itself is not done twice: a sequence goes with the column that
//!    owns it; a partition's or inheritance child's column, CHECK, key or index that comes from
//!    its parent is made, dropped and retyped by the parent's statement (the child's step only
//!    does what differs, or follows with IF EXISTS); a partition is made on its own and
//!    attached, and a partitioned table's index is made ON ONLY with each partition's index
//!    attached to it; a drop that is not planned keeps what the kept object needs;
//! 4. the steps are sorted by dependency: drops in reverse dependency order of the actual side,
//!    creates in dependency order of the expected side, ties broken by a fixed rank and the
//!    object's name, so the same inputs always give the same plan. Foreign keys are separate
//!    steps after the tables they join, so cycles of foreign keys need no special case.
//!
//! DDL text comes from one place, `ddl`.

mod build;
pub mod ddl;
pub mod deps;
pub mod hazard;
mod order;
pub mod script;

use serde::{Deserialize, Serialize};

pub use hazard::Hazard;

use crate::diff::Change;
use crate::model::{ObjectPath, Schema};
use crate::rules::RuleId;

/// What a plan is allowed to do.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// Plan DROP TABLE, DROP COLUMN, DROP SCHEMA and narrowing type changes; without it they
    /// are listed as not planned.
    pub allow_destructive: bool,
    /// Replay owners on created and recreated objects (off when the policy ignores owners).
    pub owners: bool,
    /// Replay grants on created and recreated objects (off when the policy ignores grants).
    pub grants: bool,
    /// Replay comments on created and recreated objects (off when the policy ignores them).
    pub comments: bool,
    /// Put created tables and indexes into their tablespaces (off when the policy ignores
    /// tablespaces: the actual server may not have them).
    pub tablespaces: bool,
    /// Role names as the expected side names them → as the actual server names them (the
    /// inverse of the policy's role renames): statements are written in the actual names.
    pub roles: std::collections::BTreeMap<String, String>,
    /// Declared renames of tables and columns, done first.
    pub renames: Vec<Rename>,
    /// Build new indexes of existing tables with CREATE INDEX CONCURRENTLY, and add new CHECK
    /// and foreign-key constraints NOT VALID with a VALIDATE, both after the main transaction
    /// commits, so writes are blocked only briefly.
    pub online: bool,
}

/// A declared rename of a table or column (the actual side's name → the expected one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub from: ObjectPath,
    pub to: ObjectPath,
}

impl PlanOptions {
    /// Replay everything, allow nothing destructive.
    pub fn new() -> PlanOptions {
        PlanOptions {
            allow_destructive: false,
            owners: true,
            grants: true,
            comments: true,
            tablespaces: true,
            roles: Default::default(),
            renames: Vec::new(),
            online: false,
        }
    }
}

/// When a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Committed on its own before the main transaction: a new enum label cannot be used in
    /// the transaction that added it.
    PreCommit,
    /// The main transaction.
    Transaction,
    /// After COMMIT, each statement on its own (`--online`: CREATE INDEX CONCURRENTLY,
    /// VALIDATE CONSTRAINT).
    PostCommit,
}

/// What a step does to its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Create,
    Drop,
    Alter,
    Rename,
    /// Dropped only to be created again (a dependent of an invalidating change).
    DropForRecreate,
    /// Created again after a `DropForRecreate`, from the expected definition.
    Recreate,
    Owner,
    Grant,
    Comment,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Drop => "drop",
            Operation::Alter => "alter",
            Operation::Rename => "rename",
            Operation::DropForRecreate => "drop for recreate",
            Operation::Recreate => "recreate",
            Operation::Owner => "owner",
            Operation::Grant => "grant",
            Operation::Comment => "comment",
        }
    }
}

/// The finding a step fixes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Fix {
    pub rule: RuleId,
    pub object: String,
}

/// One step of a plan: statements that belong together, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub phase: Phase,
    pub operation: Operation,
    pub object: ObjectPath,
    pub sql: Vec<String>,
    pub hazards: Vec<Hazard>,
    /// Whether it runs inside a transaction (everything in a plan does today; a later online
    /// mode runs CREATE INDEX CONCURRENTLY outside).
    pub transactional: bool,
    /// The findings this step fixes (none for a dependent recreated around another change).
    pub fixes: Vec<Fix>,
    /// Why a step that fixes no finding is there: the dependency chain that reaches it, e.g.
    /// `view public.v2 -> view public.v1 -> column public.t.a (type change)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reason: Vec<String>,
    /// The statement creates a function whose body PostgreSQL does not check or track: run
    /// with `check_function_bodies = off`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unchecked_body: bool,
    /// Read-only questions to ask the actual data before running the step (the dry run asks
    /// them): rows that would make it fail, and the size of what it rewrites or drops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<PreCheck>,
}

/// A read-only question about the actual data that says whether a step can succeed, or what
/// it costs. Names are qualified and quoted, ready to be put into SQL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case")]
pub enum PreCheck {
    /// Rows with NULL in a column that becomes NOT NULL.
    Nulls { table: String, column: String },
    /// Keys held by more than one row, for a new unique constraint or index.
    Duplicates { table: String, columns: Vec<String> },
    /// Values of a column that do not convert to its new type.
    Casts {
        table: String,
        column: String,
        to: String,
    },
    /// Rows holding an enum label that is removed (`kept` are the labels that stay).
    RemovedLabels {
        table: String,
        column: String,
        kept: Vec<String>,
    },
    /// Rows and size of a table that is rewritten or dropped, or loses a column.
    Size { table: String },
    /// A role the step names (owner, grantee, policy role): roles belong to the server, and
    /// pgdrift never creates them.
    Role { name: String },
}

/// A finding the plan does not fix, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotPlanned {
    pub rule: RuleId,
    pub object: String,
    pub reason: String,
}

/// The statements that turn actual into expected.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub not_planned: Vec<NotPlanned>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// Every hazard of the plan, once each, in `Hazard::ALL` order.
    pub fn hazards(&self) -> Vec<Hazard> {
        let mut all: Vec<Hazard> = self
            .steps
            .iter()
            .flat_map(|s| s.hazards.iter().copied())
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

/// A plan that cannot be made: steps that depend on each other in a circle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError(pub String);

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PlanError {}

/// Plan `changes` (the diff of `expected` against the normalized `actual`, as far as the policy
/// keeps them).
pub fn plan(
    expected: &Schema,
    actual: &Schema,
    changes: &[&Change<'_>],
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    // The plan writes PostgreSQL's DDL from PostgreSQL's deparsed text; CockroachDB's text
    // is its own dialect, and its DDL differs (no transactional DDL for many statements).
    if expected.cockroachdb.is_some() || actual.cockroachdb.is_some() {
        return Ok(Plan {
            steps: Vec::new(),
            not_planned: changes
                .iter()
                .map(|change| NotPlanned {
                    rule: change.rule,
                    object: change.path.display(),
                    reason: "pgdrift plans changes for PostgreSQL only; one side was read from \
                             CockroachDB"
                        .into(),
                })
                .collect(),
        });
    }
    build::build(expected, actual, changes, options)
}
