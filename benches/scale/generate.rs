//! A generator of large, realistic schemas for the benchmark: `tables` tables in modules of 50
//! (each module a cluster of related tables in one schema, like a bounded context of a real
//! application), with primary keys, foreign keys inside the module, 1–4 indexes per table (some
//! partial, some on expressions), check and unique constraints, enums, a domain and a composite
//! type per schema, owned and free-standing sequences, views over joins, a few materialized
//! views, PL/pgSQL and SQL functions, triggers, row-level security, grants to several roles
//! and comments. Deterministic: the same size and seed give the same SQL.
//!
//! The SQL comes as independent module scripts, so loading can run on several connections at
//! once, each script in one round trip (one implicit transaction). `mutations` describes a
//! "mutated" copy: a few dozen scattered changes of every kind, to apply to a copy of the
//! database.

use std::fmt::Write as _;

/// The roles the schema grants to (cluster-wide; created by `setup`).
pub const ROLES: [&str; 5] = [
    "bench_reader",
    "bench_writer",
    "bench_report",
    "bench_etl",
    "bench_owner",
];

/// Tables per module: foreign keys, views, functions and triggers stay inside one module.
const MODULE: usize = 50;

/// Tables per schema.
const PER_SCHEMA: usize = 1000;

const SCHEMA_NAMES: [&str; 10] = [
    "app",
    "billing",
    "crm",
    "inventory",
    "shipping",
    "analytics",
    "auth",
    "content",
    "support",
    "ops",
];

const NOUNS: [&str; 50] = [
    "accounts",
    "customers",
    "orders",
    "order_items",
    "invoices",
    "payments",
    "products",
    "categories",
    "suppliers",
    "warehouses",
    "shipments",
    "addresses",
    "contacts",
    "tickets",
    "comments",
    "attachments",
    "projects",
    "tasks",
    "milestones",
    "teams",
    "members",
    "roles",
    "permissions",
    "sessions",
    "devices",
    "events",
    "notifications",
    "subscriptions",
    "plans",
    "coupons",
    "discounts",
    "refunds",
    "carts",
    "reviews",
    "ratings",
    "articles",
    "pages",
    "assets",
    "tags",
    "campaigns",
    "leads",
    "opportunities",
    "quotes",
    "contracts",
    "vendors",
    "budgets",
    "expenses",
    "reports",
    "jobs",
    "audits",
];

/// Column templates: name, type, default, NOT NULL.
const COLUMNS: &[(&str, &str, Option<&str>, bool)] = &[
    ("name", "text", None, true),
    ("title", "character varying(200)", None, false),
    ("description", "text", None, false),
    ("email", "EMAIL", None, false),
    ("code", "character varying(64)", None, true),
    ("amount", "numeric(12,2)", Some("0"), true),
    ("quantity", "integer", Some("1"), true),
    ("price", "numeric(10,2)", None, false),
    ("total_cents", "bigint", Some("0"), true),
    ("notes", "text", None, false),
    ("metadata", "jsonb", Some("'{}'::jsonb"), true),
    ("settings", "jsonb", None, false),
    ("starts_at", "timestamp with time zone", None, false),
    ("ends_at", "timestamp with time zone", None, false),
    ("deleted_at", "timestamp with time zone", None, false),
    ("published_at", "timestamp with time zone", None, false),
    ("is_active", "boolean", Some("true"), true),
    ("is_archived", "boolean", Some("false"), true),
    ("priority", "smallint", Some("0"), true),
    ("score", "double precision", None, false),
    ("rating", "real", None, false),
    ("labels", "text[]", Some("'{}'::text[]"), true),
    ("ip_address", "inet", None, false),
    ("external_id", "uuid", None, false),
    ("slug", "character varying(120)", None, false),
    ("url", "text", None, false),
    ("phone", "character varying(32)", None, false),
    ("country_code", "character(2)", None, false),
    ("currency", "character(3)", Some("'EUR'::bpchar"), true),
    ("weight_grams", "integer", None, false),
    ("payload", "bytea", None, false),
    ("version", "integer", Some("1"), true),
    ("locale", "character varying(16)", Some("'en'"), true),
    ("due_on", "date", None, false),
    ("duration", "interval", None, false),
    ("sort_order", "integer", Some("0"), true),
    ("reference", "character varying(40)", None, false),
    ("source", "text", None, false),
    ("checksum", "character varying(64)", None, false),
    ("retries", "integer", Some("0"), true),
    ("last_seen_at", "timestamp without time zone", None, false),
    ("latitude", "numeric(9,6)", None, false),
    ("longitude", "numeric(9,6)", None, false),
    ("owner_name", "text", None, false),
    ("counter", "bigint", Some("0"), true),
    ("expires_at", "timestamp with time zone", None, false),
];

/// A small deterministic PRNG (SplitMix64): the benchmark must build the same schema on every
/// machine, without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

#[derive(Clone)]
struct Col {
    name: String,
    ty: String,
    default: Option<String>,
    not_null: bool,
    /// Referenced by an index, constraint, view or function: not a target for changes that
    /// would need CASCADE.
    used: bool,
}

struct Fk {
    column: String,
    /// Index of the referenced table in `Plan::tables`.
    target: usize,
    name: String,
    on_delete: &'static str,
}

struct Tab {
    schema: String,
    name: String,
    module: usize,
    pk_type: &'static str,
    cols: Vec<Col>,
    fks: Vec<Fk>,
    checks: Vec<(String, String)>,
    uniques: Vec<(String, String)>,
    /// Index name and the text after `ON table`.
    indexes: Vec<(String, String)>,
    triggers: Vec<String>,
    /// Views that read this table (a column drop needs care).
    in_view: bool,
    grants_writer: bool,
    comment: Option<String>,
}

impl Tab {
    fn qualified(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }

    fn has(&self, column: &str) -> bool {
        self.cols.iter().any(|c| c.name == column)
    }

    fn mark_used(&mut self, column: &str) {
        if let Some(c) = self.cols.iter_mut().find(|c| c.name == column) {
            c.used = true;
        }
    }
}

struct ViewSpec {
    module: usize,
    schema: String,
    name: String,
    /// `SELECT ...` text.
    query: String,
    materialized: bool,
}

struct FunctionSpec {
    module: usize,
    schema: String,
    name: String,
    /// Argument list as written in CREATE FUNCTION.
    args: String,
    /// Argument types, for DROP/ALTER FUNCTION.
    arg_types: String,
    returns: String,
    language: &'static str,
    attributes: String,
    body: String,
    trigger: bool,
}

/// What the generator built: one SQL script per module plus the shared setup, and what a
/// mutated copy changes.
pub struct Generated {
    /// Roles, schemas, per-schema types: run first, once.
    pub setup: String,
    /// Independent scripts, one per module (run in any order, concurrently).
    pub modules: Vec<String>,
    /// Statements that turn a copy into the mutated copy, with a label each.
    pub mutations: Vec<(&'static str, String)>,
    pub stats: Stats,
}

#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub schemas: usize,
    pub tables: usize,
    pub columns: usize,
    pub indexes: usize,
    pub constraints: usize,
    pub views: usize,
    pub functions: usize,
    pub triggers: usize,
    pub sequences: usize,
}

struct Plan {
    tables: Vec<Tab>,
    views: Vec<ViewSpec>,
    functions: Vec<FunctionSpec>,
    /// Per module: free-standing sequence and enum (schema-qualified names).
    sequences: Vec<String>,
    enums: Vec<String>,
    schemas: Vec<String>,
}

fn schema_name(i: usize) -> String {
    let base = SCHEMA_NAMES[i % SCHEMA_NAMES.len()];
    match i / SCHEMA_NAMES.len() {
        0 => base.to_string(),
        n => format!("{base}{}", n + 1),
    }
}

/// Build the schema of `tables` tables (rounded up to a whole module).
pub fn generate(tables: usize, seed: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let plan = plan(tables, &mut rng);
    let setup = render_setup(&plan);
    let modules = render_modules(&plan);
    let mutations = mutations(&plan, &mut Rng::new(seed ^ 0x5EED));
    let stats = Stats {
        schemas: plan.schemas.len(),
        tables: plan.tables.len(),
        columns: plan.tables.iter().map(|t| t.cols.len()).sum(),
        // Primary keys and unique constraints are indexes too.
        indexes: plan
            .tables
            .iter()
            .map(|t| 1 + t.uniques.len() + t.indexes.len())
            .sum::<usize>()
            + plan.views.iter().filter(|v| v.materialized).count(),
        constraints: plan
            .tables
            .iter()
            .map(|t| 1 + t.uniques.len() + t.checks.len() + t.fks.len())
            .sum(),
        views: plan.views.len(),
        functions: plan.functions.len(),
        triggers: plan.tables.iter().map(|t| t.triggers.len()).sum(),
        sequences: plan.sequences.len()
            + plan
                .tables
                .iter()
                .filter(|t| t.cols[0].ty == "bigserial")
                .count(),
    };
    Generated {
        setup,
        modules,
        mutations,
        stats,
    }
}

fn plan(tables: usize, rng: &mut Rng) -> Plan {
    let modules = tables.div_ceil(MODULE).max(1);
    let schema_count = tables.div_ceil(PER_SCHEMA).max(2);
    let schemas: Vec<String> = (0..schema_count).map(schema_name).collect();
    let mut plan = Plan {
        tables: Vec::with_capacity(modules * MODULE),
        views: Vec::new(),
        functions: Vec::new(),
        sequences: Vec::new(),
        enums: Vec::new(),
        schemas,
    };
    for m in 0..modules {
        let schema = plan.schemas[m % schema_count].clone();
        plan.sequences
            .push(format!("{schema}.m{m:04}_reference_seq"));
        plan.enums.push(format!("{schema}.m{m:04}_status"));
        let first = plan.tables.len();
        for i in 0..MODULE {
            let table = plan_table(&plan, &schema, m, first, i, rng);
            plan.tables.push(table);
        }
        plan_module_objects(&mut plan, m, first, rng);
    }
    plan
}

fn plan_table(plan: &Plan, schema: &str, m: usize, first: usize, i: usize, rng: &mut Rng) -> Tab {
    let name = format!("{}_{m:04}", NOUNS[i]);
    let pk_type = match rng.below(20) {
        0..=11 => "identity",
        12..=16 => "bigserial",
        _ => "uuid",
    };
    let mut cols = vec![Col {
        name: "id".into(),
        ty: match pk_type {
            "identity" => "bigint".into(),
            other => other.into(),
        },
        default: (pk_type == "uuid").then(|| "gen_random_uuid()".into()),
        not_null: true,
        used: true,
    }];
    // Columns in all: 5..=30, most tables toward the small end (mean about 15).
    let total = 5 + (25.0 * rng.unit().powf(1.4)).round() as usize;
    let mut fks = Vec::new();
    if i > 0 {
        for _ in 0..rng.below(3).min(total.saturating_sub(4)) {
            let target = first + rng.below(i);
            let target_noun = NOUNS[target - first];
            let column = format!("{}_id", target_noun.trim_end_matches('s'));
            if cols.iter().any(|c| c.name == column) {
                continue;
            }
            let target_type = match plan.tables[target].pk_type {
                "uuid" => "uuid",
                _ => "bigint",
            };
            let on_delete = ["", " ON DELETE CASCADE", " ON DELETE SET NULL"][rng.below(3)];
            let not_null = on_delete != " ON DELETE SET NULL" && rng.chance(0.7);
            cols.push(Col {
                name: column.clone(),
                ty: target_type.into(),
                default: None,
                not_null,
                used: true,
            });
            fks.push(Fk {
                name: format!("{name}_{column}_fkey"),
                column,
                target,
                on_delete,
            });
        }
    }
    let timestamps = rng.chance(0.85);
    let fixed = cols.len() + if timestamps { 2 } else { 0 };
    let mut pool: Vec<usize> = (0..COLUMNS.len()).collect();
    for _ in 0..total.saturating_sub(fixed) {
        if pool.is_empty() {
            break;
        }
        let (col, ty, default, not_null) = COLUMNS[pool.swap_remove(rng.below(pool.len()))];
        let ty = if ty == "EMAIL" {
            format!("{schema}.email_address")
        } else {
            ty.to_string()
        };
        cols.push(Col {
            name: col.into(),
            ty,
            default: default.map(str::to_string),
            not_null,
            used: false,
        });
    }
    if rng.chance(0.3) {
        let e = &plan.enums[m];
        cols.push(Col {
            name: "status".into(),
            ty: e.clone(),
            default: Some(format!("'active'::{e}")),
            not_null: true,
            used: false,
        });
    }
    if rng.chance(0.1) && !cols.iter().any(|c| c.name == "reference") {
        cols.push(Col {
            name: "reference".into(),
            ty: "bigint".into(),
            default: Some(format!("nextval('{}'::regclass)", plan.sequences[m])),
            not_null: true,
            used: false,
        });
    }
    if timestamps {
        for ts in ["created_at", "updated_at"] {
            cols.push(Col {
                name: ts.into(),
                ty: "timestamp with time zone".into(),
                default: Some("now()".into()),
                not_null: true,
                used: false,
            });
        }
    }
    let mut t = Tab {
        schema: schema.to_string(),
        name,
        module: m,
        pk_type,
        cols,
        fks,
        checks: Vec::new(),
        uniques: Vec::new(),
        indexes: Vec::new(),
        triggers: Vec::new(),
        in_view: false,
        grants_writer: rng.chance(0.6),
        comment: rng
            .chance(0.3)
            .then(|| format!("{} of module {m}", NOUNS[i].replace('_', " "))),
    };
    plan_constraints_and_indexes(&mut t, rng);
    t
}

fn plan_constraints_and_indexes(t: &mut Tab, rng: &mut Rng) {
    let n = &t.name.clone();
    let mut checks = Vec::new();
    if t.has("amount") && rng.chance(0.7) {
        checks.push((format!("{n}_amount_check"), "amount >= 0".to_string()));
    }
    if t.has("code") && rng.chance(0.5) {
        checks.push((
            format!("{n}_code_check"),
            "char_length(code) <= 64".to_string(),
        ));
    }
    if t.has("starts_at") && t.has("ends_at") {
        checks.push((
            format!("{n}_period_check"),
            "ends_at IS NULL OR ends_at > starts_at".to_string(),
        ));
    }
    if t.has("quantity") && rng.chance(0.5) {
        checks.push((
            format!("{n}_quantity_check"),
            "quantity > 0 AND quantity < 100000".to_string(),
        ));
    }
    for (_, expr) in &checks {
        for c in ["amount", "code", "starts_at", "ends_at", "quantity"] {
            if expr.contains(c) {
                t.mark_used(c);
            }
        }
    }
    t.checks = checks;
    for c in ["code", "slug", "external_id"] {
        if t.has(c) && t.uniques.is_empty() && rng.chance(0.4) {
            t.uniques.push((format!("{n}_{c}_key"), c.to_string()));
            t.mark_used(c);
        }
    }

    // 1–4 indexes with the primary key (and a unique constraint, when there is one).
    let wanted = rng.below(4).saturating_sub(t.uniques.len());
    let mut candidates: Vec<(String, String, Vec<String>)> = Vec::new();
    for fk in &t.fks {
        candidates.push((
            format!("{n}_{}_idx", fk.column),
            format!("USING btree ({})", fk.column),
            vec![],
        ));
    }
    let has = |c: &str| t.has(c);
    if has("created_at") {
        candidates.push((
            format!("{n}_created_at_idx"),
            "USING btree (created_at DESC)".into(),
            vec!["created_at".into()],
        ));
    }
    if has("email") {
        candidates.push((
            format!("{n}_lower_email_idx"),
            "USING btree (lower((email)::text))".into(),
            vec!["email".into()],
        ));
    }
    if has("metadata") {
        candidates.push((
            format!("{n}_metadata_kind_idx"),
            "USING btree (((metadata ->> 'kind'::text)))".into(),
            vec!["metadata".into()],
        ));
        candidates.push((
            format!("{n}_metadata_idx"),
            "USING gin (metadata jsonb_path_ops)".into(),
            vec!["metadata".into()],
        ));
    }
    if has("labels") {
        candidates.push((
            format!("{n}_labels_idx"),
            "USING gin (labels)".into(),
            vec!["labels".into()],
        ));
    }
    let partial = if has("deleted_at") {
        Some(("deleted_at IS NULL", "deleted_at"))
    } else if has("is_active") {
        Some(("is_active", "is_active"))
    } else {
        None
    };
    if let Some((predicate, pcol)) = partial {
        let key = ["status", "name", "code", "created_at", "priority"]
            .into_iter()
            .find(|c| has(c))
            .unwrap_or("id");
        candidates.push((
            format!("{n}_{key}_live_idx"),
            format!("USING btree ({key}) WHERE ({predicate})"),
            vec![key.to_string(), pcol.to_string()],
        ));
    }
    if has("name") && has("created_at") {
        candidates.push((
            format!("{n}_name_created_at_idx"),
            "USING btree (name, created_at)".into(),
            vec!["name".into(), "created_at".into()],
        ));
    }
    if has("reference") {
        candidates.push((
            format!("{n}_reference_idx"),
            "USING hash (reference)".into(),
            vec!["reference".into()],
        ));
    }
    for _ in 0..wanted {
        if candidates.is_empty() {
            break;
        }
        let (name, def, used) = candidates.swap_remove(rng.below(candidates.len()));
        for c in &used {
            t.mark_used(c);
        }
        t.indexes.push((name, def));
    }
}

fn plan_module_objects(plan: &mut Plan, m: usize, first: usize, rng: &mut Rng) {
    let schema = plan.tables[first].schema.clone();
    // Views: about one per ten tables, over a foreign key join, and an aggregate now and then.
    let children: Vec<usize> = (first..first + MODULE)
        .filter(|&i| !plan.tables[i].fks.is_empty())
        .collect();
    for k in 0..5 {
        let Some(&child) = children.get((k * 7 + rng.below(5)) % children.len().max(1)) else {
            break;
        };
        let fk = &plan.tables[child].fks[0];
        let (fk_col, parent) = (fk.column.clone(), fk.target);
        let c = &plan.tables[child];
        let p = &plan.tables[parent];
        let extra: Vec<String> = c
            .cols
            .iter()
            .skip(1)
            .filter(|col| col.name != fk_col && !col.ty.contains("[]"))
            .take(3)
            .map(|col| col.name.clone())
            .collect();
        let parent_col = p
            .cols
            .iter()
            .map(|col| col.name.clone())
            .find(|n| ["name", "title", "code", "email", "slug"].contains(&n.as_str()))
            .unwrap_or_else(|| "id".into());
        let materialized = k == 4 && m.is_multiple_of(2);
        let (name, query) = if k % 2 == 0 {
            let mut select = vec!["c.id".to_string()];
            select.extend(extra.iter().map(|e| format!("c.{e}")));
            select.push(format!("p.{parent_col} AS parent_{parent_col}"));
            let mut q = format!(
                "SELECT {}\n   FROM {} c\n     JOIN {} p ON p.id = c.{fk_col}",
                select.join(",\n    "),
                c.qualified(),
                p.qualified()
            );
            if c.has("deleted_at") {
                q.push_str("\n  WHERE c.deleted_at IS NULL");
            }
            (format!("{}_with_parent", c.name), q)
        } else {
            (
                format!(
                    "{}_{}_counts",
                    p.name,
                    c.name.split('_').next().unwrap_or("x")
                ),
                format!(
                    "SELECT p.id,\n    count(c.id) AS n,\n    max(c.id::text) AS last_id\n   FROM {} p\n     LEFT JOIN {} c ON c.{fk_col} = p.id\n  GROUP BY p.id",
                    p.qualified(),
                    c.qualified()
                ),
            )
        };
        let name = if materialized {
            format!("{name}_mv")
        } else {
            name
        };
        if plan
            .views
            .iter()
            .any(|v| v.schema == schema && v.name == name)
        {
            continue;
        }
        for e in &extra {
            plan.tables[child].mark_used(e);
        }
        plan.tables[child].in_view = true;
        plan.tables[parent].in_view = true;
        plan.tables[parent].mark_used(&parent_col);
        plan.views.push(ViewSpec {
            module: m,
            schema: schema.clone(),
            name,
            query,
            materialized,
        });
    }

    // Functions: a shared trigger function per module (updated_at), an audit trigger
    // function, a counting function per join, a SQL function, and a cleanup procedure-like
    // function that runs as its owner.
    let touch = format!("m{m:04}_touch_updated_at");
    plan.functions.push(FunctionSpec {
        module: m,
        schema: schema.clone(),
        name: touch.clone(),
        args: String::new(),
        arg_types: String::new(),
        returns: "trigger".into(),
        language: "plpgsql",
        attributes: String::new(),
        body: "\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n".into(),
        trigger: true,
    });
    let audit = format!("m{m:04}_audit");
    plan.functions.push(FunctionSpec {
        module: m,
        schema: schema.clone(),
        name: audit.clone(),
        args: String::new(),
        arg_types: String::new(),
        returns: "trigger".into(),
        language: "plpgsql",
        attributes: String::new(),
        body: format!(
            "\nBEGIN\n    -- one notification per change, for the change feed\n    PERFORM pg_notify('m{m:04}', TG_TABLE_NAME || ':' || TG_OP);\n    IF TG_OP = 'DELETE' THEN\n        RETURN OLD;\n    END IF;\n    RETURN NEW;\nEND;\n"
        ),
        trigger: true,
    });
    if let Some(&child) = children.first() {
        let fk = &plan.tables[child].fks[0];
        let (fk_col, parent) = (fk.column.clone(), fk.target);
        let c = &plan.tables[child];
        let arg_type = if plan.tables[parent].pk_type == "uuid" {
            "uuid"
        } else {
            "bigint"
        };
        plan.functions.push(FunctionSpec {
            module: m,
            schema: schema.clone(),
            name: format!("{}_count_for", c.name),
            args: format!("p_id {arg_type}"),
            arg_types: arg_type.into(),
            returns: "bigint".into(),
            language: "plpgsql",
            attributes: "STABLE".into(),
            body: format!(
                "\nDECLARE\n    n bigint;\nBEGIN\n    SELECT count(*) INTO n\n      FROM {}\n     WHERE {fk_col} = p_id;\n    RETURN coalesce(n, 0);\nEND;\n",
                c.qualified()
            ),
            trigger: false,
        });
    }
    let sql_target = first + rng.below(MODULE);
    let t = &plan.tables[sql_target];
    plan.functions.push(FunctionSpec {
        module: m,
        schema: schema.clone(),
        name: format!("{}_total", t.name),
        args: String::new(),
        arg_types: String::new(),
        returns: "bigint".into(),
        language: "sql",
        attributes: "STABLE PARALLEL SAFE".into(),
        body: format!("\n    SELECT count(*) FROM {}\n", t.qualified()),
        trigger: false,
    });
    let cleanup_target = (first..first + MODULE)
        .find(|&i| plan.tables[i].has("created_at") && plan.tables[i].fks.is_empty())
        .unwrap_or(first);
    let t = &plan.tables[cleanup_target];
    plan.functions.push(FunctionSpec {
        module: m,
        schema: schema.clone(),
        name: format!("m{m:04}_cleanup"),
        args: "p_before timestamp with time zone, p_limit integer DEFAULT 1000".into(),
        arg_types: "timestamp with time zone, integer".into(),
        returns: "integer".into(),
        language: "plpgsql",
        attributes: "SECURITY DEFINER SET search_path TO 'pg_catalog'".into(),
        body: format!(
            "\nDECLARE\n    removed integer := 0;\nBEGIN\n    IF p_limit <= 0 THEN\n        RAISE EXCEPTION 'limit must be positive, got %', p_limit;\n    END IF;\n    DELETE FROM {}\n     WHERE id IN (SELECT id FROM {} WHERE created_at < p_before LIMIT p_limit);\n    GET DIAGNOSTICS removed = ROW_COUNT;\n    RETURN removed;\nEND;\n",
            t.qualified(),
            t.qualified()
        ),
        trigger: false,
    });

    // Triggers: updated_at on up to 8 tables, the audit trigger on 2.
    let mut touched = 0;
    for i in first..first + MODULE {
        if touched < 8 && plan.tables[i].has("updated_at") && rng.chance(0.4) {
            let name = format!("{}_touch", plan.tables[i].name);
            let q = plan.tables[i].qualified();
            plan.tables[i].triggers.push(format!(
                "CREATE TRIGGER {name} BEFORE UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {schema}.{touch}()",
                q
            ));
            touched += 1;
        }
    }
    for k in 0..2 {
        let i = first + rng.below(MODULE);
        let t = &mut plan.tables[i];
        let name = format!("{}_audit_{k}", t.name);
        let when = if k == 0 {
            "AFTER INSERT OR DELETE OR UPDATE"
        } else {
            "AFTER DELETE"
        };
        let statement = format!(
            "CREATE TRIGGER {name} {when} ON {} FOR EACH ROW EXECUTE FUNCTION {schema}.{audit}()",
            t.qualified()
        );
        t.triggers.push(statement);
    }
}

fn render_setup(plan: &Plan) -> String {
    let mut s = String::new();
    for role in ROLES {
        let _ = writeln!(
            s,
            "DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
        );
    }
    for schema in &plan.schemas {
        let _ = writeln!(
            s,
            "CREATE SCHEMA {schema};\n\
             COMMENT ON SCHEMA {schema} IS 'the {schema} part of the application';\n\
             GRANT USAGE ON SCHEMA {schema} TO bench_reader, bench_writer, bench_report;\n\
             CREATE DOMAIN {schema}.email_address AS character varying(320)\n    \
                 CONSTRAINT email_address_check CHECK (VALUE::text ~ '^[^@\\s]+@[^@\\s]+$');\n\
             CREATE TYPE {schema}.money_amount AS (currency character(3), cents bigint);\n\
             COMMENT ON TYPE {schema}.money_amount IS 'an amount in minor units';"
        );
    }
    s
}

fn render_modules(plan: &Plan) -> Vec<String> {
    let modules = plan.tables.len() / MODULE;
    let mut out: Vec<String> = (0..modules)
        .map(|_| String::with_capacity(64 << 10))
        .collect();
    for (m, s) in out.iter_mut().enumerate() {
        let e = &plan.enums[m];
        let _ = writeln!(
            s,
            "CREATE TYPE {e} AS ENUM ('draft', 'active', 'suspended', 'closed');\n\
             CREATE SEQUENCE {} INCREMENT BY 1 START WITH 1000 CACHE 10;\n\
             GRANT USAGE ON SEQUENCE {} TO bench_writer;",
            plan.sequences[m], plan.sequences[m]
        );
    }
    for t in &plan.tables {
        render_table(&mut out[t.module], t, plan);
    }
    for f in &plan.functions {
        render_function(&mut out[f.module], f);
    }
    for t in &plan.tables {
        let s = &mut out[t.module];
        for trigger in &t.triggers {
            let _ = writeln!(s, "{trigger};");
        }
    }
    for v in &plan.views {
        render_view(&mut out[v.module], v);
    }
    out
}

fn render_table(s: &mut String, t: &Tab, plan: &Plan) {
    let q = t.qualified();
    let mut lines: Vec<String> = Vec::with_capacity(t.cols.len() + 4);
    for c in &t.cols {
        let mut line = format!("    {} ", c.name);
        if c.name == "id" && t.pk_type == "identity" {
            line.push_str("bigint GENERATED BY DEFAULT AS IDENTITY");
        } else {
            line.push_str(&c.ty);
        }
        if c.not_null && c.name != "id" {
            line.push_str(" NOT NULL");
        }
        if let Some(d) = &c.default {
            line.push_str(" DEFAULT ");
            line.push_str(d);
        }
        lines.push(line);
    }
    lines.push(format!("    CONSTRAINT {}_pkey PRIMARY KEY (id)", t.name));
    for (name, col) in &t.uniques {
        lines.push(format!("    CONSTRAINT {name} UNIQUE ({col})"));
    }
    for (name, expr) in &t.checks {
        lines.push(format!("    CONSTRAINT {name} CHECK ({expr})"));
    }
    for fk in &t.fks {
        lines.push(format!(
            "    CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}(id){}",
            fk.name,
            fk.column,
            plan.tables[fk.target].qualified(),
            fk.on_delete
        ));
    }
    let _ = writeln!(s, "CREATE TABLE {q} (\n{}\n);", lines.join(",\n"));
    for (name, def) in &t.indexes {
        let _ = writeln!(s, "CREATE INDEX {name} ON {q} {def};");
    }
    if let Some(c) = &t.comment {
        let _ = writeln!(s, "COMMENT ON TABLE {q} IS '{c}';");
    }
    for c in t.cols.iter().filter(|c| c.name.ends_with("_at")).take(1) {
        if t.comment.is_some() {
            let _ = writeln!(
                s,
                "COMMENT ON COLUMN {q}.{} IS 'when it happened (UTC)';",
                c.name
            );
        }
    }
    let _ = writeln!(s, "GRANT SELECT ON {q} TO bench_reader;");
    if t.grants_writer {
        let _ = writeln!(s, "GRANT INSERT, UPDATE, DELETE ON {q} TO bench_writer;");
    }
    if t.name.starts_with("reports") || t.name.starts_with("events") {
        let _ = writeln!(s, "GRANT SELECT (id) ON {q} TO bench_etl;");
    }
    if t.name.starts_with("sessions") {
        let _ = writeln!(
            s,
            "ALTER TABLE {q} ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY {}_reader ON {q} FOR SELECT TO bench_reader USING (true);",
            t.name
        );
    }
    if t.name.starts_with("events") {
        let _ = writeln!(s, "ALTER TABLE {q} SET (fillfactor = 90);");
    }
    if t.pk_type == "bigserial" {
        let _ = writeln!(
            s,
            "GRANT USAGE ON SEQUENCE {}.{}_id_seq TO bench_writer;",
            t.schema, t.name
        );
    }
}

fn render_function(s: &mut String, f: &FunctionSpec) {
    let _ = writeln!(
        s,
        "CREATE FUNCTION {}.{}({}) RETURNS {} LANGUAGE {} {} AS $fn${}$fn$;",
        f.schema, f.name, f.args, f.returns, f.language, f.attributes, f.body
    );
    if !f.trigger {
        let _ = writeln!(
            s,
            "COMMENT ON FUNCTION {}.{}({}) IS 'generated helper';\n\
             REVOKE EXECUTE ON FUNCTION {}.{}({}) FROM PUBLIC;\n\
             GRANT EXECUTE ON FUNCTION {}.{}({}) TO bench_etl, bench_report;",
            f.schema,
            f.name,
            f.arg_types,
            f.schema,
            f.name,
            f.arg_types,
            f.schema,
            f.name,
            f.arg_types
        );
    }
}

fn render_view(s: &mut String, v: &ViewSpec) {
    let q = format!("{}.{}", v.schema, v.name);
    if v.materialized {
        let _ = writeln!(
            s,
            "CREATE MATERIALIZED VIEW {q} AS {} WITH NO DATA;\n\
             CREATE UNIQUE INDEX {}_id_idx ON {q} (id);",
            v.query, v.name
        );
    } else {
        let _ = writeln!(
            s,
            "CREATE VIEW {q} AS {};\n\
             COMMENT ON VIEW {q} IS 'read model';\n\
             GRANT SELECT ON {q} TO bench_report;",
            v.query
        );
    }
}

/// A few dozen changes of every kind, at tables spread over the whole schema.
fn mutations(plan: &Plan, rng: &mut Rng) -> Vec<(&'static str, String)> {
    let n = plan.tables.len();
    let mut taken = vec![false; n];
    // A table not touched yet that satisfies `want`, starting at a random place.
    let mut pick = |rng: &mut Rng, want: &dyn Fn(&Tab) -> bool| -> Option<usize> {
        let start = rng.below(n);
        (0..n)
            .map(|k| (start + k * 7919) % n)
            .find(|&i| !taken[i] && want(&plan.tables[i]))
            .inspect(|&i| taken[i] = true)
    };
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let plain = |t: &Tab, ty: &str| -> Option<String> {
        t.cols
            .iter()
            .find(|c| !c.used && c.ty == ty)
            .map(|c| c.name.clone())
    };
    let unused_col = |t: &Tab| -> Option<Col> { t.cols.iter().find(|c| !c.used).cloned() };

    for _ in 0..2 {
        if let Some(i) = pick(rng, &|t| plain(t, "integer").is_some()) {
            let t = &plan.tables[i];
            let c = plain(t, "integer").unwrap_or_default();
            out.push((
                "column type",
                format!("ALTER TABLE {} ALTER COLUMN {c} TYPE bigint", t.qualified()),
            ));
        }
    }
    if let Some(i) = pick(rng, &|t| plain(t, "text").is_some()) {
        let t = &plan.tables[i];
        let c = plain(t, "text").unwrap_or_default();
        out.push((
            "column collation",
            format!(
                "ALTER TABLE {} ALTER COLUMN {c} TYPE text COLLATE \"C\"",
                t.qualified()
            ),
        ));
    }
    for _ in 0..2 {
        if let Some(i) = pick(rng, &|t| {
            t.cols
                .iter()
                .any(|c| c.not_null && c.name != "id" && !c.used)
        }) {
            let t = &plan.tables[i];
            let c = t
                .cols
                .iter()
                .find(|c| c.not_null && c.name != "id" && !c.used)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            out.push((
                "column nullability",
                format!(
                    "ALTER TABLE {} ALTER COLUMN {c} DROP NOT NULL",
                    t.qualified()
                ),
            ));
        }
    }
    for k in 0..2 {
        if let Some(i) = pick(rng, &|t| {
            t.cols.iter().any(|c| c.default.is_some() && !c.used)
        }) {
            let t = &plan.tables[i];
            let c = t
                .cols
                .iter()
                .find(|c| c.default.is_some() && !c.used)
                .cloned()
                .expect("picked for it");
            let change = if k == 0 {
                "DROP DEFAULT".to_string()
            } else if c.ty.contains("timestamp") {
                "SET DEFAULT clock_timestamp()".to_string()
            } else if c.ty == "boolean" {
                "SET DEFAULT NULL".to_string()
            } else {
                "DROP DEFAULT".to_string()
            };
            out.push((
                "column default",
                format!(
                    "ALTER TABLE {} ALTER COLUMN {} {change}",
                    t.qualified(),
                    c.name
                ),
            ));
        }
    }
    for k in 0..2 {
        if let Some(i) = pick(rng, &|_| true) {
            out.push((
                "column added",
                format!(
                    "ALTER TABLE {} ADD COLUMN hotfix_{k} boolean DEFAULT false",
                    plan.tables[i].qualified()
                ),
            ));
        }
    }
    for _ in 0..2 {
        if let Some(i) = pick(rng, &|t| unused_col(t).is_some()) {
            let t = &plan.tables[i];
            let c = unused_col(t).expect("picked for it");
            out.push((
                "column dropped",
                format!("ALTER TABLE {} DROP COLUMN {}", t.qualified(), c.name),
            ));
        }
    }
    for _ in 0..2 {
        if let Some(i) = pick(rng, &|t| !t.indexes.is_empty()) {
            let t = &plan.tables[i];
            out.push((
                "index dropped",
                format!("DROP INDEX {}.{}", t.schema, t.indexes[0].0),
            ));
        }
    }
    for _ in 0..2 {
        if let Some(i) = pick(rng, &|t| t.has("created_at")) {
            let t = &plan.tables[i];
            out.push((
                "index added",
                format!(
                    "CREATE INDEX {}_hotfix_idx ON {} (created_at, id)",
                    t.name,
                    t.qualified()
                ),
            ));
        }
    }
    if let Some(i) = pick(rng, &|t| {
        t.indexes
            .iter()
            .any(|(_, d)| d.starts_with("USING btree") && !d.contains("WHERE"))
    }) {
        let t = &plan.tables[i];
        let (name, def) = t
            .indexes
            .iter()
            .find(|(_, d)| d.starts_with("USING btree") && !d.contains("WHERE"))
            .expect("picked for it");
        out.push((
            "index definition",
            format!(
                "DROP INDEX {s}.{name}; CREATE INDEX {name} ON {} {def} WHERE (id IS NOT NULL)",
                t.qualified(),
                s = t.schema
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| !t.indexes.is_empty()) {
        let t = &plan.tables[i];
        out.push((
            "index renamed",
            format!(
                "ALTER INDEX {}.{} RENAME TO {}_renamed_idx",
                t.schema, t.indexes[0].0, t.name
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| !t.checks.is_empty()) {
        let t = &plan.tables[i];
        out.push((
            "check dropped",
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                t.qualified(),
                t.checks[0].0
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| {
        t.checks.iter().any(|(_, e)| e.starts_with("amount"))
    }) {
        let t = &plan.tables[i];
        let name = format!("{}_amount_check", t.name);
        out.push((
            "check changed",
            format!(
                "ALTER TABLE {q} DROP CONSTRAINT {name}; ALTER TABLE {q} ADD CONSTRAINT {name} CHECK (amount > 0)",
                q = t.qualified()
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| !t.fks.is_empty()) {
        let t = &plan.tables[i];
        out.push((
            "foreign key dropped",
            format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                t.qualified(),
                t.fks[0].name
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| t.fks.iter().any(|f| f.on_delete.is_empty())) {
        let t = &plan.tables[i];
        let fk = t
            .fks
            .iter()
            .find(|f| f.on_delete.is_empty())
            .expect("picked for it");
        out.push((
            "foreign key action",
            format!(
                "ALTER TABLE {q} DROP CONSTRAINT {n}; ALTER TABLE {q} ADD CONSTRAINT {n} FOREIGN KEY ({c}) REFERENCES {r}(id) ON DELETE CASCADE",
                q = t.qualified(),
                n = fk.name,
                c = fk.column,
                r = plan.tables[fk.target].qualified()
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| t.uniques.is_empty() && t.has("name")) {
        let t = &plan.tables[i];
        out.push((
            "unique added",
            format!(
                "ALTER TABLE {} ADD CONSTRAINT {}_name_key UNIQUE (name)",
                t.qualified(),
                t.name
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| t.triggers.is_empty() && !t.in_view) {
        let t = &plan.tables[i];
        out.push((
            "table dropped",
            format!("DROP TABLE {} CASCADE", t.qualified()),
        ));
    }
    if let Some(i) = pick(rng, &|_| true) {
        let t = &plan.tables[i];
        out.push((
            "table added",
            format!(
                "CREATE TABLE {}.{}_hotfix (id bigint PRIMARY KEY, note text NOT NULL DEFAULT '')",
                t.schema, t.name
            ),
        ));
    }
    if let Some(i) = pick(rng, &|_| true) {
        out.push((
            "table storage",
            format!(
                "ALTER TABLE {} SET (fillfactor = 70)",
                plan.tables[i].qualified()
            ),
        ));
    }
    if let Some(i) = pick(rng, &|t| !t.name.starts_with("sessions")) {
        let t = &plan.tables[i];
        out.push((
            "row-level security",
            format!(
                "ALTER TABLE {q} ENABLE ROW LEVEL SECURITY; CREATE POLICY {n}_hotfix ON {q} USING (id IS NOT NULL)",
                q = t.qualified(),
                n = t.name
            ),
        ));
    }
    let views: Vec<&ViewSpec> = plan.views.iter().filter(|v| !v.materialized).collect();
    if !views.is_empty() {
        for k in 0..2 {
            let v = views[(rng.below(views.len()) + k) % views.len()];
            let extra = if v.query.contains("GROUP BY") {
                "\n HAVING count(c.id) > 0"
            } else if v.query.contains("WHERE") {
                " AND c.id IS NOT NULL"
            } else {
                "\n  WHERE c.id IS NOT NULL"
            };
            out.push((
                "view changed",
                format!(
                    "CREATE OR REPLACE VIEW {}.{} AS {}{extra}",
                    v.schema, v.name, v.query
                ),
            ));
        }
        let v = views[rng.below(views.len())];
        if !out
            .iter()
            .any(|(_, s)| s.contains(&format!("{}.{} ", v.schema, v.name)))
        {
            out.push(("view dropped", format!("DROP VIEW {}.{}", v.schema, v.name)));
        }
    }
    let functions: Vec<&FunctionSpec> = plan.functions.iter().filter(|f| !f.trigger).collect();
    let counting: Vec<&FunctionSpec> = functions
        .iter()
        .copied()
        .filter(|f| f.body.contains("count(*)"))
        .collect();
    if !counting.is_empty() {
        let f = counting[rng.below(counting.len())];
        out.push((
            "function body",
            format!(
                "CREATE OR REPLACE FUNCTION {}.{}({}) RETURNS {} LANGUAGE {} {} AS $fn${}$fn$",
                f.schema,
                f.name,
                f.args,
                f.returns,
                f.language,
                f.attributes,
                f.body.replace("count(*)", "count(id)")
            ),
        ));
        let f = functions[rng.below(functions.len())];
        out.push((
            "function attributes",
            format!(
                "ALTER FUNCTION {}.{}({}) VOLATILE COST 500",
                f.schema, f.name, f.arg_types
            ),
        ));
        let f = functions[rng.below(functions.len())];
        if !out
            .iter()
            .any(|(_, s)| s.contains(&format!("{}.{}(", f.schema, f.name)))
        {
            out.push((
                "function dropped",
                format!("DROP FUNCTION {}.{}({})", f.schema, f.name, f.arg_types),
            ));
        }
    }
    if let Some(i) = pick(rng, &|t| !t.triggers.is_empty()) {
        let t = &plan.tables[i];
        let name = trigger_name(&t.triggers[0]);
        out.push((
            "trigger dropped",
            format!("DROP TRIGGER {name} ON {}", t.qualified()),
        ));
    }
    if let Some(i) = pick(rng, &|t| !t.triggers.is_empty()) {
        let t = &plan.tables[i];
        let name = trigger_name(&t.triggers[0]);
        out.push((
            "trigger disabled",
            format!("ALTER TABLE {} DISABLE TRIGGER {name}", t.qualified()),
        ));
    }
    let e = &plan.enums[rng.below(plan.enums.len())];
    out.push((
        "enum label",
        format!("ALTER TYPE {e} ADD VALUE 'archived' AFTER 'closed'"),
    ));
    let s = &plan.sequences[rng.below(plan.sequences.len())];
    out.push(("sequence", format!("ALTER SEQUENCE {s} INCREMENT BY 10")));
    for _ in 0..2 {
        if let Some(i) = pick(rng, &|t| t.grants_writer) {
            out.push((
                "grant revoked",
                format!(
                    "REVOKE DELETE ON {} FROM bench_writer",
                    plan.tables[i].qualified()
                ),
            ));
        }
    }
    for _ in 0..2 {
        if let Some(i) = pick(rng, &|_| true) {
            out.push((
                "grant added",
                format!(
                    "GRANT SELECT ON {} TO bench_report",
                    plan.tables[i].qualified()
                ),
            ));
        }
    }
    if let Some(i) = pick(rng, &|t| t.triggers.is_empty()) {
        out.push((
            "owner",
            format!(
                "ALTER TABLE {} OWNER TO bench_owner",
                plan.tables[i].qualified()
            ),
        ));
    }
    for k in 0..2 {
        if let Some(i) = pick(rng, &|t| (k == 0) == t.comment.is_some()) {
            let t = &plan.tables[i];
            let sql = if k == 0 {
                format!("COMMENT ON TABLE {} IS 'changed by hand'", t.qualified())
            } else {
                format!(
                    "COMMENT ON TABLE {} IS 'documented in prod only'",
                    t.qualified()
                )
            };
            out.push(("table comment", sql));
        }
    }
    if let Some(i) = pick(rng, &|t| t.cols.len() > 3) {
        let t = &plan.tables[i];
        out.push((
            "column comment",
            format!(
                "COMMENT ON COLUMN {}.{} IS 'see ticket OPS-4711'",
                t.qualified(),
                t.cols[1].name
            ),
        ));
    }
    out
}

fn trigger_name(statement: &str) -> &str {
    statement
        .strip_prefix("CREATE TRIGGER ")
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or("")
}
