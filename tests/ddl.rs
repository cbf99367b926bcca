//! The DDL printer against real PostgreSQL: a database built from hand-written SQL is read, a
//! creation script is printed from its model with `plan::ddl` alone and run on an empty
//! database, and the two must read back as the same model and dump as the same schema
//! (`pg_dump --schema-only`, an oracle pgdrift did not write). Then every ALTER function turns a
//! small "before" into the model of the same "after" built directly.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use pgdrift::model::{
    Column, FunctionKind, Grant, Identity, ObjectKind, Persistence, Schema, Table, TypeDefinition,
    qualified,
};
use pgdrift::plan::ddl::{self, LabelPosition, Object, Relation, TableParts};

const ROLES: &[&str] = &["ddl_owner", "ddl_reader", "ddl_writer", "Ddl Auditor"];

/// Every kind the printer handles, with the variants that are easy to get wrong. Grants are
/// given in the order of their grantees' names, and storage parameters in the order of theirs:
/// PostgreSQL keeps both lists in the order they were given, pg_dump prints them in that order,
/// and the model (so the printed script) sorts them.
const FIXTURE: &str = r#"
CREATE SCHEMA ext;
CREATE EXTENSION citext WITH SCHEMA ext VERSION '1.5';
COMMENT ON EXTENSION citext IS 'case-insensitive text, pinned';
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the application''s schema
(second line)';
GRANT CREATE, USAGE ON SCHEMA app TO "Ddl Auditor" WITH GRANT OPTION;
GRANT USAGE ON SCHEMA app TO ddl_reader;
CREATE SCHEMA "Sales Data";
ALTER SCHEMA "Sales Data" OWNER TO ddl_owner;
GRANT USAGE ON SCHEMA "Sales Data" TO ddl_reader, ddl_writer;

-- Types
CREATE TYPE app.status AS ENUM ('new', 'paid', 'shipped');
ALTER TYPE app.status ADD VALUE 'cancelled' BEFORE 'paid';
COMMENT ON TYPE app.status IS 'order lifecycle';
CREATE TYPE "Sales Data"."Order Kind" AS ENUM ('retail', 'it''s wholesale', 'back\slash');
ALTER TYPE "Sales Data"."Order Kind" OWNER TO ddl_owner;
CREATE DOMAIN app.price AS numeric(12,2) NOT NULL DEFAULT 0
    CONSTRAINT price_not_negative CHECK (VALUE >= 0)
    CONSTRAINT "Price Cap" CHECK (VALUE < 1000000);
COMMENT ON DOMAIN app.price IS 'money, never negative';
ALTER DOMAIN app.price OWNER TO ddl_owner;
CREATE DOMAIN app.code AS text COLLATE "C" CONSTRAINT code_format CHECK (VALUE ~ '^[A-Z]+$');
ALTER DOMAIN app.code ADD CONSTRAINT code_length CHECK (length(VALUE) < 10) NOT VALID;
REVOKE USAGE ON DOMAIN app.code FROM PUBLIC;
GRANT USAGE ON DOMAIN app.code TO ddl_writer;
CREATE DOMAIN app.statuses AS app.status[] DEFAULT '{new}';
CREATE TYPE app.address AS (street text, city text COLLATE "C", zip varchar(10), "user" app.code);
REVOKE USAGE ON TYPE app.address FROM PUBLIC;
GRANT USAGE ON TYPE app.address TO ddl_reader WITH GRANT OPTION;
CREATE TYPE app.float_range AS RANGE (subtype = float8, subtype_diff = float8mi);
CREATE TYPE app.text_range AS RANGE (subtype = text, collation = "C", subtype_opclass = text_pattern_ops);
COMMENT ON TYPE app.text_range IS 'ranges of codes';

-- Sequences
CREATE SEQUENCE app.invoice_no AS integer
    START 1000 INCREMENT 10 MINVALUE 1000 MAXVALUE 999999 CACHE 5 CYCLE;
COMMENT ON SEQUENCE app.invoice_no IS 'invoice numbers';
GRANT USAGE ON SEQUENCE app.invoice_no TO ddl_writer;
CREATE SEQUENCE "Sales Data"."Ticket Seq" AS smallint INCREMENT -1;
ALTER SEQUENCE "Sales Data"."Ticket Seq" OWNER TO ddl_owner;
CREATE SEQUENCE app.order_seq;

-- Routines (two of them read tables created further down)
SET check_function_bodies = off;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql
    AS $$BEGIN NEW.updated_at := now(); RETURN NEW; END$$;
CREATE FUNCTION app.noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE FUNCTION app.add_item(order_id bigint, qty integer DEFAULT 1) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    BEGIN ATOMIC SELECT qty + 1; SELECT qty + 2; END;
COMMENT ON FUNCTION app.add_item(bigint, integer) IS 'adds
an item';
CREATE FUNCTION app."Weird Fn"(s app.status) RETURNS text LANGUAGE sql RETURN s::text;
CREATE FUNCTION app.secure_op(INOUT x integer, OUT y text) LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = public, pg_temp SET work_mem = '64MB'
    AS $body$BEGIN y := 'it''s $$ ' || x; END$body$;
ALTER FUNCTION app.secure_op(integer) OWNER TO ddl_owner;
REVOKE EXECUTE ON FUNCTION app.secure_op(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.secure_op(integer) TO ddl_writer WITH GRANT OPTION;
CREATE FUNCTION app.quoted_path() RETURNS text LANGUAGE sql
    SET search_path = "Sales Data", app, "$user" SET "TimeZone" = 'UTC'
    AS 'SELECT current_setting(''search_path'')';
CREATE FUNCTION app.customer_ids() RETURNS SETOF bigint LANGUAGE sql STABLE ROWS 50 COST 10
    AS 'SELECT id FROM app.customers';
CREATE FUNCTION app.totals(min_total numeric DEFAULT 0)
    RETURNS TABLE(customer bigint, "Total" numeric) LANGUAGE sql STABLE
    AS $$SELECT customer_id, sum(total) FROM app.orders GROUP BY 1 HAVING sum(total) > min_total$$;
CREATE FUNCTION app.is_owner(owner_name text) RETURNS boolean LANGUAGE sql STABLE LEAKPROOF
    PARALLEL RESTRICTED AS $$SELECT owner_name = current_user$$;
CREATE FUNCTION app.next_code() RETURNS text LANGUAGE sql VOLATILE AS $$SELECT 'A'$$;
CREATE PROCEDURE app.archive(before date, INOUT removed integer DEFAULT 0) LANGUAGE plpgsql
    AS $$BEGIN DELETE FROM app.events WHERE happened_at < before; GET DIAGNOSTICS removed = ROW_COUNT; END$$;
COMMENT ON PROCEDURE app.archive(date, integer) IS 'drops old events';
REVOKE EXECUTE ON PROCEDURE app.archive(date, integer) FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE app.archive(date, integer) TO ddl_owner;
CREATE FUNCTION app.mul_state(numeric, numeric) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT
    AS 'SELECT $1 * $2';
CREATE AGGREGATE app.product(numeric) (SFUNC = app.mul_state, STYPE = numeric, INITCOND = '1',
    PARALLEL = SAFE);
COMMENT ON AGGREGATE app.product(numeric) IS 'multiplies';
CREATE AGGREGATE app.pct(float8 ORDER BY float8) (SFUNC = ordered_set_transition, STYPE = internal,
    FINALFUNC = percentile_disc_final, FINALFUNC_EXTRA);
CREATE FUNCTION app.my_rank() RETURNS bigint LANGUAGE internal WINDOW IMMUTABLE AS 'window_rank';

-- Tables
CREATE TABLE app.customers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email ext.citext NOT NULL,
    name text COLLATE "C" NOT NULL,
    nickname text COLLATE "POSIX",
    code app.code DEFAULT app.next_code(),
    "user" text DEFAULT CURRENT_USER,
    referrer_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz,
    CONSTRAINT customers_email_key UNIQUE (email),
    CONSTRAINT customers_nickname_key UNIQUE NULLS NOT DISTINCT (nickname),
    CONSTRAINT customers_referrer_fk FOREIGN KEY (referrer_id) REFERENCES app.customers (id)
        ON DELETE SET NULL
);
COMMENT ON TABLE app.customers IS 'people who "buy"';
COMMENT ON COLUMN app.customers."user" IS 'who created the row';
COMMENT ON CONSTRAINT customers_email_key ON app.customers IS 'one account per address';
GRANT SELECT ON app.customers TO ddl_reader WITH GRANT OPTION;
GRANT INSERT, SELECT, UPDATE ON app.customers TO ddl_writer;
GRANT SELECT (id, email), UPDATE (nickname) ON app.customers TO "Ddl Auditor";
GRANT REFERENCES (id) ON app.customers TO ddl_owner WITH GRANT OPTION;

CREATE TABLE app.orders (
    id bigint NOT NULL DEFAULT nextval('app.order_seq'),
    customer_id bigint NOT NULL,
    status app.status NOT NULL DEFAULT 'new',
    history app.status[] DEFAULT ARRAY['new'::app.status],
    statuses app.statuses,
    ref text,
    total numeric(12,2) DEFAULT (1)::numeric + 2,
    deleted_at timestamptz,
    shipping app.address,
    invoice integer DEFAULT nextval('app.invoice_no'::regclass),
    CONSTRAINT orders_pkey PRIMARY KEY (id),
    CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES app.customers (id)
        ON DELETE CASCADE ON UPDATE RESTRICT DEFERRABLE INITIALLY DEFERRED
);
ALTER SEQUENCE app.order_seq OWNED BY app.orders.id;
ALTER TABLE app.orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
CREATE UNIQUE INDEX orders_ref_idx ON app.orders (lower(ref)) INCLUDE (total) WHERE deleted_at IS NULL;
COMMENT ON INDEX app.orders_ref_idx IS 'lookup by reference';
CREATE INDEX "Orders By Status" ON app.orders (status, customer_id DESC NULLS LAST);
ALTER TABLE app.orders OWNER TO ddl_owner;
GRANT SELECT ON app.orders TO ddl_reader;

CREATE TABLE "Sales Data"."Order Items" (
    order_id bigint NOT NULL REFERENCES app.orders (id),
    "select" integer NOT NULL,
    gone integer,
    kind "Sales Data"."Order Kind" NOT NULL DEFAULT 'retail',
    qty integer NOT NULL DEFAULT 1 CHECK (qty > 0),
    price app.price,
    amount numeric GENERATED ALWAYS AS (qty * price) STORED,
    ordinal integer GENERATED BY DEFAULT AS IDENTITY (START WITH 10 INCREMENT BY 5),
    tags text[] DEFAULT '{}'::text[],
    span app.float_range,
    created date DEFAULT ('now'::text)::date,
    PRIMARY KEY (order_id, "select")
) WITH (autovacuum_enabled = false, fillfactor = 70);
ALTER TABLE "Sales Data"."Order Items" DROP COLUMN gone;
ALTER TABLE "Sales Data"."Order Items" OWNER TO ddl_owner;
COMMENT ON COLUMN "Sales Data"."Order Items"."select" IS 'line number';
CREATE INDEX "Order Items_tags_idx" ON "Sales Data"."Order Items" USING gin (tags);
GRANT SELECT ON "Sales Data"."Order Items" TO ddl_reader;
GRANT DELETE, TRUNCATE ON "Sales Data"."Order Items" TO ddl_writer;

CREATE TABLE app.notes (id serial PRIMARY KEY, body text);
GRANT SELECT, USAGE ON SEQUENCE app.notes_id_seq TO ddl_reader;

CREATE TABLE app.bookings (
    id int PRIMARY KEY,
    room box NOT NULL,
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (room WITH &&)
);

CREATE TABLE app.events (
    id bigint NOT NULL,
    happened_at date NOT NULL,
    kind text NOT NULL DEFAULT 'info',
    customer_id bigint REFERENCES app.customers (id),
    payload jsonb,
    PRIMARY KEY (id, happened_at),
    CONSTRAINT events_id_check CHECK (id > 0)
) PARTITION BY RANGE (happened_at);
CREATE TABLE app.events_2024 PARTITION OF app.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_2025 PARTITION OF app.events
    (kind WITH OPTIONS DEFAULT 'debug', payload WITH OPTIONS NOT NULL)
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01') WITH (fillfactor = 90);
CREATE TABLE app.events_default PARTITION OF app.events DEFAULT;
ALTER TABLE app.events_default ALTER COLUMN kind DROP DEFAULT;
CREATE INDEX events_kind_idx ON app.events (kind);
COMMENT ON TABLE app.events_2024 IS 'a partition';

CREATE TABLE app.regions (code text NOT NULL, name text) PARTITION BY LIST (code);
CREATE TABLE app.regions_eu PARTITION OF app.regions FOR VALUES IN ('de', 'fr');
CREATE TABLE app.regions_us PARTITION OF app.regions FOR VALUES IN ('us') PARTITION BY LIST (name);
CREATE TABLE app.regions_us_all PARTITION OF app.regions_us DEFAULT;
CREATE TABLE app.regions_other PARTITION OF app.regions DEFAULT;
CREATE INDEX regions_name_idx ON app.regions (name);

CREATE TABLE app.base_log (
    id integer NOT NULL,
    msg text DEFAULT 'none',
    at timestamptz DEFAULT now(),
    CONSTRAINT base_log_id_check CHECK (id > 0)
);
CREATE TABLE app.tagged (tag text DEFAULT 'untagged', msg text DEFAULT 'none');
CREATE TABLE app.audit_log (who text NOT NULL, msg text DEFAULT 'audit') INHERITS (app.base_log);
CREATE TABLE app.tagged_log () INHERITS (app.base_log, app.tagged);
ALTER TABLE app.tagged_log ALTER COLUMN at DROP DEFAULT;

CREATE UNLOGGED TABLE app.cache (key text PRIMARY KEY, value jsonb);
ALTER TABLE app.cache OWNER TO ddl_owner;
GRANT SELECT ON app.cache TO ddl_reader;

CREATE TABLE app.documents (id int PRIMARY KEY, owner_name text NOT NULL, body text);
ALTER TABLE app.documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.documents FORCE ROW LEVEL SECURITY;
CREATE POLICY documents_owner ON app.documents AS PERMISSIVE FOR UPDATE TO "Ddl Auditor", ddl_writer
    USING (owner_name = current_user) WITH CHECK (app.is_owner(owner_name));
COMMENT ON POLICY documents_owner ON app.documents IS 'owners edit their documents';
CREATE POLICY documents_read ON app.documents AS RESTRICTIVE FOR SELECT USING (true);
CREATE POLICY "Insert Anything" ON app.documents FOR INSERT TO PUBLIC WITH CHECK (true);
CREATE POLICY documents_all ON app.documents TO ddl_reader USING (id > 10 AND body IS NOT NULL);
CREATE TABLE app.rls_only (id int);
ALTER TABLE app.rls_only ENABLE ROW LEVEL SECURITY;

-- Views
CREATE VIEW app.open_orders WITH (security_barrier = true) AS
    SELECT id, customer_id, total FROM app.orders WHERE deleted_at IS NULL;
COMMENT ON VIEW app.open_orders IS 'orders not deleted';
GRANT SELECT ON app.open_orders TO ddl_reader;
CREATE VIEW app."Big Orders" WITH (check_option = local) AS
    SELECT * FROM app.open_orders WHERE total > 100;
ALTER VIEW app."Big Orders" OWNER TO ddl_owner;
CREATE MATERIALIZED VIEW app.order_totals AS
    SELECT customer_id, sum(total) AS total FROM app.orders GROUP BY customer_id WITH NO DATA;
CREATE UNIQUE INDEX order_totals_customer_idx ON app.order_totals (customer_id);
COMMENT ON MATERIALIZED VIEW app.order_totals IS 'totals per customer';
GRANT SELECT ON app.order_totals TO ddl_reader;
CREATE MATERIALIZED VIEW "Sales Data".constants WITH (fillfactor = 50) AS SELECT 1 AS one;
ALTER MATERIALIZED VIEW "Sales Data".constants OWNER TO ddl_owner;

-- Triggers
CREATE TRIGGER customers_touch BEFORE INSERT OR UPDATE ON app.customers
    FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.customers DISABLE TRIGGER customers_touch;
COMMENT ON TRIGGER customers_touch ON app.customers IS 'keeps updated_at';
CREATE TRIGGER "Status Change" BEFORE UPDATE OF status ON app.orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION app.noop('it''s', 'x');
ALTER TABLE app.orders ENABLE ALWAYS TRIGGER "Status Change";
CREATE TRIGGER orders_new AFTER INSERT ON app.orders REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION app.noop();
ALTER TABLE app.orders ENABLE REPLICA TRIGGER orders_new;
CREATE CONSTRAINT TRIGGER items_check AFTER INSERT ON "Sales Data"."Order Items"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.noop();
CREATE TRIGGER events_noop AFTER INSERT ON app.events FOR EACH ROW EXECUTE FUNCTION app.noop();
CREATE FUNCTION app.open_orders_insert() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN
    INSERT INTO app.orders (customer_id, total) VALUES (NEW.customer_id, NEW.total); RETURN NEW;
END$$;
CREATE TRIGGER open_orders_insert INSTEAD OF INSERT ON app.open_orders
    FOR EACH ROW EXECUTE FUNCTION app.open_orders_insert();
"#;

/// Views in the order they depend on each other, for the creation script.
const VIEW_ORDER: &[(&str, &str)] = &[
    ("app", "open_orders"),
    ("app", "Big Orders"),
    ("app", "order_totals"),
    ("Sales Data", "constants"),
];

// ---------------------------------------------------------------------------------------------
// The creation script

/// Tables by their qualified name as the model writes it in `partition_of` and `inherits`.
fn tables_by_name(model: &Schema) -> BTreeMap<String, (&str, &str, &Table)> {
    let mut out = BTreeMap::new();
    for (schema, ns) in &model.schemas {
        for (name, table) in &ns.tables {
            out.insert(
                qualified(schema, name),
                (schema.as_str(), name.as_str(), table),
            );
        }
    }
    out
}

fn parent_names(table: &Table) -> Vec<&str> {
    match &table.partition_of {
        Some(parent) => vec![parent.as_str()],
        None => table.inherits.iter().map(String::as_str).collect(),
    }
}

/// Tables with every parent before its children.
fn tables_in_order(model: &Schema) -> Vec<(&str, &str, &Table)> {
    let all = tables_by_name(model);
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    while out.len() < all.len() {
        let before = out.len();
        for (qname, &(schema, name, table)) in &all {
            if !done.contains(qname) && parent_names(table).iter().all(|p| done.contains(*p)) {
                done.insert(qname.clone());
                out.push((schema, name, table));
            }
        }
        assert!(
            out.len() > before,
            "a parent of some table is not in the model"
        );
    }
    out
}

fn parents_of<'a>(model: &'a Schema, table: &Table) -> Vec<&'a Table> {
    let all = tables_by_name(model);
    parent_names(table)
        .iter()
        .map(|p| all.get(*p).map(|t| t.2).expect("parent in the model"))
        .collect()
}

/// Whether a constraint of a partition or child table comes from its parent (the model does
/// not say): an index-backed constraint of a partition with the definition of one of the
/// parent's, or a CHECK or FOREIGN KEY with the parent's name and definition.
fn constraint_inherited(parents: &[&Table], name: &str, definition: &str) -> bool {
    parents.iter().any(|p| {
        p.constraints
            .get(name)
            .is_some_and(|c| c.definition == definition)
            || p.constraints.values().any(|c| {
                c.definition == definition
                    && (definition.starts_with("PRIMARY KEY") || definition.starts_with("UNIQUE"))
            })
    })
}

/// An index definition without its name and table: `USING btree (kind)`, and whether unique.
fn index_shape(definition: &str, name: &str, schema: &str, table: &str) -> Option<String> {
    let index = pgdrift::model::quote_ident(name);
    let table = qualified(schema, table);
    for unique in ["", "UNIQUE "] {
        for only in ["", "ONLY "] {
            let prefix = format!("CREATE {unique}INDEX {index} ON {only}{table} ");
            if let Some(rest) = definition.strip_prefix(&prefix) {
                return Some(format!("{unique}{rest}"));
            }
        }
    }
    None
}

fn object_grants(object: &Object, kind: ObjectKind, grants: &[Grant]) -> Vec<String> {
    ddl::grant_changes(object, &ddl::default_grants(kind), grants).expect("grants print")
}

fn function_kind(kind: FunctionKind) -> ObjectKind {
    match kind {
        FunctionKind::Function | FunctionKind::Window => ObjectKind::Function,
        FunctionKind::Procedure => ObjectKind::Procedure,
        FunctionKind::Aggregate => ObjectKind::Aggregate,
    }
}

fn push_comment(out: &mut Vec<String>, object: Object, comment: &Option<String>) {
    if let Some(text) = comment {
        out.push(ddl::comment(&object, Some(text)));
    }
}

/// The statements that build `model` in a database that holds `existing` (a new database's
/// model: the public schema, plpgsql), printed with `plan::ddl` only.
fn creation_script(model: &Schema, existing: &Schema) -> Vec<String> {
    let mut out = vec!["SET check_function_bodies = off;".to_string()];

    // Schemas and extensions.
    for (name, ns) in &model.schemas {
        if !existing.schemas.contains_key(name) {
            out.push(ddl::create_schema(name, ns, false));
        }
    }
    for (name, extension) in &model.extensions {
        match existing.extensions.get(name) {
            None => out.push(ddl::create_extension(name, extension)),
            Some(there) => {
                if there.version != extension.version {
                    out.push(ddl::alter_extension_update(name, &extension.version));
                }
                if there.schema != extension.schema {
                    out.push(ddl::alter_extension_set_schema(name, &extension.schema));
                }
            }
        }
    }

    // Types: enums and ranges, then domains (over enums), then composites (over domains).
    let rank = |d: &TypeDefinition| match d {
        TypeDefinition::Enum { .. } => 0,
        TypeDefinition::Range { .. } => 1,
        TypeDefinition::Domain { .. } => 2,
        TypeDefinition::Composite { .. } => 3,
    };
    let mut types: Vec<_> = model
        .schemas
        .iter()
        .flat_map(|(s, ns)| ns.types.iter().map(move |(n, t)| (s, n, t)))
        .collect();
    types.sort_by_key(|(_, _, t)| rank(&t.definition));
    for (schema, name, ty) in &types {
        out.extend(ddl::create_type(schema, name, ty));
    }

    for (schema, ns) in &model.schemas {
        for (name, sequence) in &ns.sequences {
            out.push(ddl::create_sequence(schema, name, sequence));
        }
    }

    // Routines: aggregates after the functions they call.
    for aggregates in [false, true] {
        for (schema, ns) in &model.schemas {
            for (key, function) in &ns.functions {
                if (function.kind == FunctionKind::Aggregate) == aggregates {
                    out.push(ddl::create_function(schema, key, function).expect("creatable"));
                }
            }
        }
    }

    // Tables, parents first; then constraints (not those a parent gives), FKs last.
    let tables = tables_in_order(model);
    for &(schema, name, table) in &tables {
        let parents = parents_of(model, table);
        let parts = TableParts {
            standalone: false,
            parents: &parents,
            ..TableParts::default()
        };
        out.extend(ddl::create_table(schema, name, table, parts).expect("table prints"));
    }
    for foreign_keys in [false, true] {
        for &(schema, name, table) in &tables {
            let parents = parents_of(model, table);
            for (constraint_name, constraint) in &table.constraints {
                let is_fk = constraint.definition.starts_with("FOREIGN KEY");
                if is_fk == foreign_keys
                    && !constraint_inherited(&parents, constraint_name, &constraint.definition)
                {
                    out.push(ddl::add_constraint(
                        schema,
                        name,
                        constraint_name,
                        constraint,
                    ));
                }
            }
        }
    }

    // Indexes; an index of a partition that matches one of its parent's is attached to it.
    let mut attach = Vec::new();
    for &(schema, name, table) in &tables {
        let parent = table
            .partition_of
            .as_ref()
            .map(|p| tables_by_name(model)[p.as_str()]);
        for (index_name, index) in &table.indexes {
            out.push(ddl::create_index(index));
            let Some((parent_schema, parent_name, parent_table)) = parent else {
                continue;
            };
            let shape = index_shape(&index.definition, index_name, schema, name);
            let parent_index = parent_table.indexes.iter().find(|(n, i)| {
                shape.is_some()
                    && index_shape(&i.definition, n, parent_schema, parent_name) == shape
            });
            if let Some((parent_index, _)) = parent_index {
                let depth = tables
                    .iter()
                    .position(|t| (t.0, t.1) == (parent_schema, parent_name));
                let sql = ddl::attach_index(parent_schema, parent_index, schema, index_name);
                attach.push((depth, sql));
            }
        }
    }
    // Deepest partitions first, so an index becomes valid before it is attached further up.
    attach.sort_by_key(|a| std::cmp::Reverse(a.0));
    out.extend(attach.into_iter().map(|(_, sql)| sql));

    for (schema, ns) in &model.schemas {
        for (name, sequence) in &ns.sequences {
            if let Some(owned_by) = &sequence.owned_by {
                out.push(ddl::sequence_owned_by(schema, name, Some(owned_by)));
            }
        }
    }

    // Views and their indexes and triggers.
    assert_eq!(
        VIEW_ORDER.len(),
        model
            .schemas
            .values()
            .map(|ns| ns.views.len())
            .sum::<usize>(),
        "VIEW_ORDER lists every view of the fixture"
    );
    for &(schema, name) in VIEW_ORDER {
        let view = &model.schemas[schema].views[name];
        out.push(ddl::create_view(schema, name, view));
        for index in view.indexes.values() {
            out.push(ddl::create_index(index));
        }
    }

    // Triggers, policies, row-level security.
    for &(schema, name, table) in &tables {
        for (trigger_name, trigger) in &table.triggers {
            out.push(ddl::create_trigger(trigger));
            if trigger.enabled != "O" {
                out.push(
                    ddl::set_trigger_enabled(schema, name, trigger_name, &trigger.enabled)
                        .expect("trigger state"),
                );
            }
        }
    }
    for &(schema, name) in VIEW_ORDER {
        for trigger in model.schemas[schema].views[name].triggers.values() {
            out.push(ddl::create_trigger(trigger));
        }
    }
    for &(schema, name, table) in &tables {
        for (policy_name, policy) in &table.policies {
            out.push(ddl::create_policy(schema, name, policy_name, policy).expect("policy"));
        }
        if table.rls_enabled {
            out.push(ddl::set_row_level_security(schema, name, true));
        }
        if table.rls_forced {
            out.push(ddl::set_row_level_security_forced(schema, name, true));
        }
    }

    // Owners, then privileges (as a new object has them → as the model says), then comments.
    let owner = |object: Object, role: &str| ddl::owner(&object, role).expect("ownable");
    for (schema, ns) in &model.schemas {
        out.push(owner(Object::Schema { name: schema }, &ns.owner));
        for (name, ty) in &ns.types {
            let domain = matches!(ty.definition, TypeDefinition::Domain { .. });
            out.push(owner(
                Object::Type {
                    schema,
                    name,
                    domain,
                },
                &ty.owner,
            ));
        }
        for (name, sequence) in &ns.sequences {
            // A sequence owned by a column has its table's owner, and follows it.
            if sequence.owned_by.is_none() {
                out.push(owner(Object::Sequence { schema, name }, &sequence.owner));
            }
        }
        for (key, function) in &ns.functions {
            let kind = function.kind;
            out.push(owner(
                Object::Function { schema, key, kind },
                &function.owner,
            ));
        }
        for (name, table) in &ns.tables {
            out.push(owner(Object::Table { schema, name }, &table.owner));
        }
        for (name, view) in &ns.views {
            let materialized = view.materialized;
            out.push(owner(
                Object::View {
                    schema,
                    name,
                    materialized,
                },
                &view.owner,
            ));
        }
    }
    for (schema, ns) in &model.schemas {
        let object = Object::Schema { name: schema };
        let from = existing
            .schemas
            .get(schema)
            .map_or_else(Vec::new, |e| e.grants.clone());
        out.extend(ddl::grant_changes(&object, &from, &ns.grants).expect("grants"));
        for (name, ty) in &ns.types {
            let domain = matches!(ty.definition, TypeDefinition::Domain { .. });
            let object = Object::Type {
                schema,
                name,
                domain,
            };
            out.extend(object_grants(&object, ObjectKind::Type, &ty.grants));
        }
        for (name, sequence) in &ns.sequences {
            let object = Object::Sequence { schema, name };
            out.extend(object_grants(
                &object,
                ObjectKind::Sequence,
                &sequence.grants,
            ));
        }
        for (key, function) in &ns.functions {
            let kind = function.kind;
            let object = Object::Function { schema, key, kind };
            out.extend(object_grants(
                &object,
                function_kind(kind),
                &function.grants,
            ));
        }
        for (name, table) in &ns.tables {
            let object = Object::Table { schema, name };
            out.extend(object_grants(&object, ObjectKind::Table, &table.grants));
            for (column, c) in &table.columns {
                let object = Object::Column {
                    schema,
                    table: name,
                    name: column,
                };
                out.extend(object_grants(&object, ObjectKind::Column, &c.grants));
            }
        }
        for (name, view) in &ns.views {
            let materialized = view.materialized;
            let object = Object::View {
                schema,
                name,
                materialized,
            };
            out.extend(object_grants(&object, ObjectKind::View, &view.grants));
        }
    }
    for (name, extension) in &model.extensions {
        let now = existing
            .extensions
            .get(name)
            .and_then(|e| e.comment.as_deref());
        if !existing.extensions.contains_key(name) || now != extension.comment.as_deref() {
            // CREATE EXTENSION sets the comment of the control file.
            out.push(ddl::comment(
                &Object::Extension { name },
                extension.comment.as_deref(),
            ));
        }
    }
    for (schema, ns) in &model.schemas {
        let now = existing
            .schemas
            .get(schema)
            .and_then(|e| e.comment.as_deref());
        if now != ns.comment.as_deref() {
            out.push(ddl::comment(
                &Object::Schema { name: schema },
                ns.comment.as_deref(),
            ));
        }
        for (name, ty) in &ns.types {
            let domain = matches!(ty.definition, TypeDefinition::Domain { .. });
            let object = Object::Type {
                schema,
                name,
                domain,
            };
            push_comment(&mut out, object, &ty.comment);
        }
        for (name, sequence) in &ns.sequences {
            push_comment(
                &mut out,
                Object::Sequence { schema, name },
                &sequence.comment,
            );
        }
        for (key, function) in &ns.functions {
            let kind = function.kind;
            push_comment(
                &mut out,
                Object::Function { schema, key, kind },
                &function.comment,
            );
        }
        for (name, table) in &ns.tables {
            push_comment(&mut out, Object::Table { schema, name }, &table.comment);
            for (column, c) in &table.columns {
                let object = Object::Column {
                    schema,
                    table: name,
                    name: column,
                };
                push_comment(&mut out, object, &c.comment);
            }
            for (constraint, c) in &table.constraints {
                let object = Object::Constraint {
                    schema,
                    table: name,
                    name: constraint,
                };
                push_comment(&mut out, object, &c.comment);
            }
            for (index, i) in &table.indexes {
                push_comment(
                    &mut out,
                    Object::Index {
                        schema,
                        name: index,
                    },
                    &i.comment,
                );
            }
            for (trigger, t) in &table.triggers {
                let object = Object::Trigger {
                    schema,
                    table: name,
                    name: trigger,
                };
                push_comment(&mut out, object, &t.comment);
            }
            for (policy, p) in &table.policies {
                let object = Object::Policy {
                    schema,
                    table: name,
                    name: policy,
                };
                push_comment(&mut out, object, &p.comment);
            }
        }
        for (name, view) in &ns.views {
            let materialized = view.materialized;
            let object = Object::View {
                schema,
                name,
                materialized,
            };
            push_comment(&mut out, object, &view.comment);
            for (index, i) in &view.indexes {
                push_comment(
                    &mut out,
                    Object::Index {
                        schema,
                        name: index,
                    },
                    &i.comment,
                );
            }
            for (trigger, t) in &view.triggers {
                let object = Object::Trigger {
                    schema,
                    table: name,
                    name: trigger,
                };
                push_comment(&mut out, object, &t.comment);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Running and comparing

/// Run statements one at a time with an empty search path, as a plan runs; on failure, name
/// the statement and print the whole script.
async fn run_script(db: &common::TestDb, script: &[String]) {
    let client = db.client().await;
    client
        .batch_execute("SET search_path = ''")
        .await
        .expect("set search_path");
    for (i, statement) in script.iter().enumerate() {
        if let Err(e) = client.batch_execute(statement).await {
            let message = e.as_db_error().map_or_else(
                || e.to_string(),
                |d| format!("{}: {}", d.code().code(), d.message()),
            );
            panic!(
                "statement {} failed: {message}\n{statement}\n\n--- script ---\n{}",
                i + 1,
                script.join("\n")
            );
        }
    }
}

fn pretty(schema: &Schema) -> String {
    serde_json::to_string_pretty(schema).expect("the model serializes")
}

fn assert_same_model(expected: &Schema, actual: &Schema, script: &[String]) {
    if expected != actual {
        let diff = similar::TextDiff::from_lines(pretty(expected), pretty(actual))
            .unified_diff()
            .context_radius(4)
            .to_string();
        panic!(
            "the models differ (- expected, + built from the script):\n{diff}\n--- script ---\n{}",
            script.join("\n")
        );
    }
}

/// The identity sequence options of a dump (`START WITH 10` inside `ADD GENERATED ... AS
/// IDENTITY (...)`): the model keeps only ALWAYS / BY DEFAULT, so these are the one part of the
/// dump the script cannot reproduce.
fn identity_options(dump: &[String]) -> (Vec<String>, Vec<String>) {
    let mut rest = Vec::new();
    let mut options = Vec::new();
    let mut inside = false;
    for line in dump {
        if inside {
            if line == ");" {
                inside = false;
            } else if !line.trim_start().starts_with("SEQUENCE NAME") {
                options.push(line.trim().to_string());
                continue;
            }
        } else if line.contains(" AS IDENTITY (") {
            inside = true;
        }
        rest.push(line.clone());
    }
    (rest, options)
}

#[tokio::test]
async fn a_model_printed_as_ddl_builds_the_same_schema() {
    common::ensure_roles(ROLES).await;
    let a = common::db_with("ddl_a", FIXTURE).await;
    let b = common::create_db("ddl_b").await;
    let expected = common::read_schema(&a).await;
    let empty = common::read_schema(&b).await;

    // The fixture holds what the test is about.
    let app = &expected.schemas["app"];
    assert!(app.tables["events_2025"].partition_of.is_some());
    assert_eq!(app.tables["audit_log"].inherits, ["app.base_log"]);
    assert!(
        app.functions
            .values()
            .any(|f| f.kind == FunctionKind::Window)
    );
    assert!(
        expected.schemas["Sales Data"].tables["Order Items"].columns["ordinal"]
            .identity
            .is_some()
    );

    let script = creation_script(&expected, &empty);
    run_script(&b, &script).await;
    let built = common::read_schema(&b).await;
    assert_same_model(&expected, &built, &script);

    // The oracle: pg_dump sees the same schema, up to what the model does not keep.
    let (dump_a, options_a) = identity_options(&common::schema_dump(&a));
    let (dump_b, options_b) = identity_options(&common::schema_dump(&b));
    if dump_a != dump_b {
        let diff = similar::TextDiff::from_lines(dump_a.join("\n"), dump_b.join("\n"))
            .unified_diff()
            .context_radius(3)
            .to_string();
        panic!(
            "pg_dump differs (- fixture, + built):\n{diff}\n--- script ---\n{}",
            script.join("\n")
        );
    }
    // Identity options are the model's known gap: the fixture's START WITH 10 INCREMENT BY 5
    // comes back as the defaults.
    assert!(
        options_a.contains(&"START WITH 10".to_string()),
        "{options_a:?}"
    );
    assert!(
        options_b.contains(&"START WITH 1".to_string()),
        "{options_b:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// ALTER statements: before → after

/// One ALTER function (or a few related ones) on a small schema: `before` and `after` are SQL
/// with `{s}` for the case's schema (quoted) and `{s_old}` for a second name; `alter` prints the
/// statements from the case's schema name and the two models.
struct Case {
    name: &'static str,
    before: &'static str,
    after: &'static str,
    alter: fn(&str, &Schema, &Schema) -> Vec<String>,
}

fn case_schema(case: &Case) -> String {
    format!("Alter {}", case.name)
}

fn case_sql(case: &Case, sql: &str) -> String {
    let schema = case_schema(case);
    sql.replace(
        "{s_old}",
        &pgdrift::model::quote_ident(&format!("{schema} old")),
    )
    .replace("{s}", &pgdrift::model::quote_ident(&schema))
}

fn table<'a>(model: &'a Schema, s: &str, name: &str) -> &'a Table {
    &model.schemas[s].tables[name]
}

fn column<'a>(model: &'a Schema, s: &str, t: &str, name: &str) -> &'a Column {
    &table(model, s, t).columns[name]
}

fn grants_of<'a>(model: &'a Schema, s: &str, object: &Object) -> &'a [Grant] {
    let ns = &model.schemas[s];
    match *object {
        Object::Schema { .. } => &ns.grants,
        Object::Table { name, .. } => &ns.tables[name].grants,
        Object::Column { table, name, .. } => &ns.tables[table].columns[name].grants,
        Object::View { name, .. } => &ns.views[name].grants,
        Object::Sequence { name, .. } => &ns.sequences[name].grants,
        Object::Function { key, .. } => &ns.functions[key].grants,
        Object::Type { name, .. } => &ns.types[name].grants,
        _ => &[],
    }
}

const CASES: &[Case] = &[
    Case {
        name: "schema authorization",
        before: "",
        after: "CREATE SCHEMA {s} AUTHORIZATION ddl_owner;",
        alter: |s, _, a| vec![ddl::create_schema(s, &a.schemas[s], true)],
    },
    Case {
        name: "schema drop",
        before: "CREATE SCHEMA {s};",
        after: "",
        alter: |s, _, _| vec![ddl::drop_schema(s)],
    },
    Case {
        name: "schema rename",
        before: "CREATE SCHEMA {s_old}; CREATE TABLE {s_old}.t (a int);",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int);",
        alter: |s, _, _| vec![ddl::rename_schema(&format!("{s} old"), s)],
    },
    Case {
        name: "extensions",
        before: "CREATE SCHEMA ext_one; CREATE SCHEMA \"Ext Two\";
                 CREATE EXTENSION citext WITH SCHEMA ext_one VERSION '1.4';
                 CREATE EXTENSION hstore WITH SCHEMA ext_one;",
        after: "CREATE SCHEMA ext_one; CREATE SCHEMA \"Ext Two\";
                CREATE EXTENSION citext WITH SCHEMA \"Ext Two\" VERSION '1.5';",
        alter: |_, _, _| {
            vec![
                ddl::alter_extension_update("citext", "1.5"),
                ddl::alter_extension_set_schema("citext", "Ext Two"),
                ddl::drop_extension("hstore"),
            ]
        },
    },
    Case {
        name: "enum values",
        before: "CREATE SCHEMA {s}; CREATE TYPE {s}.e AS ENUM ('b', 'd');
                 CREATE TYPE {s}.r AS ENUM ('a', 'b');",
        after: "CREATE SCHEMA {s}; CREATE TYPE {s}.e AS ENUM ('a', 'b', 'c', 'd', 'e''s');
                CREATE TYPE {s}.r AS ENUM ('a', 'B b');",
        alter: |s, _, _| {
            vec![
                ddl::add_enum_value(s, "e", "a", LabelPosition::Before("b")),
                ddl::add_enum_value(s, "e", "c", LabelPosition::After("b")),
                ddl::add_enum_value(s, "e", "e's", LabelPosition::Last),
                ddl::rename_enum_value(s, "r", "b", "B b"),
            ]
        },
    },
    Case {
        name: "type rename",
        before: "CREATE SCHEMA {s}; CREATE TYPE {s}.old_e AS ENUM ('a');
                 CREATE DOMAIN {s}.old_d AS int;",
        after: "CREATE SCHEMA {s}; CREATE TYPE {s}.\"New E\" AS ENUM ('a');
                CREATE DOMAIN {s}.new_d AS int;",
        alter: |s, b, _| {
            let ns = &b.schemas[s];
            vec![
                ddl::rename_type(s, "old_e", &ns.types["old_e"].definition, "New E"),
                ddl::rename_type(s, "old_d", &ns.types["old_d"].definition, "new_d"),
            ]
        },
    },
    Case {
        name: "domain alter",
        before: "CREATE SCHEMA {s};
                 CREATE DOMAIN {s}.d AS int DEFAULT 1 CONSTRAINT a CHECK (VALUE > 0)
                     CONSTRAINT b CHECK (VALUE < 9);
                 CREATE DOMAIN {s}.d2 AS text NOT NULL;
                 CREATE DOMAIN {s}.d3 AS text CONSTRAINT old CHECK (VALUE <> '');",
        after: "CREATE SCHEMA {s};
                CREATE DOMAIN {s}.d AS int NOT NULL CONSTRAINT b CHECK (VALUE < 9)
                    CONSTRAINT \"C c\" CHECK (VALUE <> 5);
                CREATE DOMAIN {s}.d2 AS text DEFAULT 'it''s';
                CREATE DOMAIN {s}.d3 AS text CONSTRAINT new CHECK (VALUE <> '');
                ALTER DOMAIN {s}.d3 ADD CONSTRAINT later CHECK (length(VALUE) < 5) NOT VALID;",
        alter: |s, _, a| {
            let ns = &a.schemas[s];
            let TypeDefinition::Domain { constraints, .. } = &ns.types["d"].definition else {
                panic!("d is a domain");
            };
            let TypeDefinition::Domain { default, .. } = &ns.types["d2"].definition else {
                panic!("d2 is a domain");
            };
            let TypeDefinition::Domain { constraints: d3, .. } = &ns.types["d3"].definition
            else {
                panic!("d3 is a domain");
            };
            vec![
                ddl::drop_domain_default(s, "d"),
                ddl::set_domain_not_null(s, "d"),
                ddl::drop_domain_constraint(s, "d", "a"),
                ddl::add_domain_constraint(s, "d", "C c", &constraints["C c"]),
                ddl::drop_domain_not_null(s, "d2"),
                ddl::set_domain_default(s, "d2", default.as_deref().expect("a default")),
                ddl::rename_domain_constraint(s, "d3", "old", "new"),
                ddl::add_domain_constraint(s, "d3", "later", &d3["later"]),
            ]
        },
    },
    Case {
        name: "type drop",
        before: "CREATE SCHEMA {s}; CREATE TYPE {s}.e AS ENUM ('a'); CREATE DOMAIN {s}.d AS int;
                 CREATE TYPE {s}.c AS (x int); CREATE TYPE {s}.r AS RANGE (subtype = int8);",
        after: "CREATE SCHEMA {s};",
        alter: |s, b, _| {
            let ns = &b.schemas[s];
            ns.types
                .iter()
                .map(|(name, ty)| ddl::drop_type(s, name, &ty.definition))
                .collect()
        },
    },
    Case {
        name: "sequence alter",
        before: "CREATE SCHEMA {s}; CREATE SEQUENCE {s}.a AS smallint;
                 CREATE SEQUENCE {s}.b INCREMENT 1 CACHE 1 NO CYCLE;
                 CREATE SEQUENCE {s}.same START 5;",
        after: "CREATE SCHEMA {s}; CREATE SEQUENCE {s}.a AS integer;
                CREATE SEQUENCE {s}.b INCREMENT 5 MINVALUE -10 MAXVALUE 500 START 7 CACHE 3 CYCLE;
                CREATE SEQUENCE {s}.same START 5;",
        alter: |s, b, a| {
            let (before, after) = (&b.schemas[s].sequences, &a.schemas[s].sequences);
            assert_eq!(
                ddl::alter_sequence(s, "same", &before["same"], &after["same"]),
                None
            );
            ["a", "b"]
                .iter()
                .map(|n| ddl::alter_sequence(s, n, &before[*n], &after[*n]).expect("differs"))
                .collect()
        },
    },
    Case {
        name: "sequence owned by",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.\"T t\" (a int, \"user\" int);
                 CREATE SEQUENCE {s}.s1; CREATE SEQUENCE {s}.s2 OWNED BY {s}.\"T t\".a;",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.\"T t\" (a int, \"user\" int);
                CREATE SEQUENCE {s}.s1 OWNED BY {s}.\"T t\".\"user\"; CREATE SEQUENCE {s}.s2;",
        alter: |s, _, a| {
            let owned = a.schemas[s].sequences["s1"].owned_by.as_deref();
            vec![
                ddl::sequence_owned_by(s, "s1", owned),
                ddl::sequence_owned_by(s, "s2", None),
            ]
        },
    },
    Case {
        name: "sequence drop and rename",
        before: "CREATE SCHEMA {s}; CREATE SEQUENCE {s}.old_q; CREATE SEQUENCE {s}.gone;",
        after: "CREATE SCHEMA {s}; CREATE SEQUENCE {s}.\"New Q\";",
        alter: |s, _, _| {
            vec![
                ddl::rename_sequence(s, "old_q", "New Q"),
                ddl::drop_sequence(s, "gone"),
            ]
        },
    },
    Case {
        name: "routine replace",
        before: "CREATE SCHEMA {s};
                 CREATE FUNCTION {s}.f(a int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT a';
                 CREATE PROCEDURE {s}.p() LANGUAGE sql AS 'SELECT 1';
                 CREATE AGGREGATE {s}.agg(int) (SFUNC = int4pl, STYPE = int);
                 CREATE FUNCTION {s}.g() RETURNS int LANGUAGE sql RETURN 1;",
        after: "CREATE SCHEMA {s};
                CREATE FUNCTION {s}.f(a int) RETURNS int LANGUAGE sql STABLE STRICT COST 5
                    SET search_path = pg_catalog, \"$user\" AS 'SELECT a + 1';
                CREATE PROCEDURE {s}.p() LANGUAGE sql SECURITY DEFINER AS 'SELECT 2';
                CREATE AGGREGATE {s}.agg(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0',
                    PARALLEL = SAFE);
                CREATE FUNCTION {s}.g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 2; END;",
        alter: |s, _, a| {
            a.schemas[s]
                .functions
                .iter()
                .map(|(key, f)| ddl::create_or_replace_function(s, key, f).expect("prints"))
                .collect()
        },
    },
    Case {
        name: "routine drop and rename",
        before: "CREATE SCHEMA {s};
                 CREATE FUNCTION {s}.f_old(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
                 CREATE PROCEDURE {s}.p(a int, OUT b int) LANGUAGE sql AS 'SELECT a';
                 CREATE AGGREGATE {s}.agg(int) (SFUNC = int4pl, STYPE = int);
                 CREATE FUNCTION {s}.\"G g\"() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        after: "CREATE SCHEMA {s};
                CREATE FUNCTION {s}.\"F New\"(a int) RETURNS int LANGUAGE sql AS 'SELECT a';",
        alter: |s, b, _| {
            let ns = &b.schemas[s];
            let mut out = vec![ddl::rename_function(
                s,
                "f_old(integer)",
                FunctionKind::Function,
                "F New",
            )];
            for (key, f) in &ns.functions {
                if key != "f_old(integer)" {
                    out.push(ddl::drop_function(s, key, f.kind));
                }
            }
            out
        },
    },
    Case {
        name: "constraints",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.p (id int PRIMARY KEY);
                 CREATE TABLE {s}.t (a int, b int, c int,
                     CONSTRAINT chk_old CHECK (a > 0), CONSTRAINT u UNIQUE (b));",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.p (id int PRIMARY KEY);
                CREATE TABLE {s}.t (a int, b int, c int, CONSTRAINT \"Chk New\" CHECK (a > 0),
                    CONSTRAINT fk FOREIGN KEY (c) REFERENCES {s}.p (id) ON DELETE SET NULL,
                    CONSTRAINT v CHECK (b > 0));",
        alter: |s, _, a| {
            let t = table(a, s, "t");
            let mut not_valid = t.constraints["v"].clone();
            not_valid.definition.push_str(" NOT VALID");
            vec![
                ddl::rename_constraint(s, "t", "chk_old", "Chk New"),
                ddl::drop_constraint(s, "t", "u"),
                ddl::add_constraint(s, "t", "fk", &t.constraints["fk"]),
                ddl::add_constraint(s, "t", "v", &not_valid),
                ddl::validate_constraint(s, "t", "v"),
            ]
        },
    },
    Case {
        name: "columns",
        before: "CREATE SCHEMA {s};
                 CREATE TABLE {s}.t (a int, b text, c int DEFAULT 1, d int NOT NULL, e int, x int,
                     f int GENERATED ALWAYS AS (x * 2) STORED,
                     m int GENERATED ALWAYS AS (x * 3) STORED,
                     g int NOT NULL, h int GENERATED BY DEFAULT AS IDENTITY,
                     i int GENERATED ALWAYS AS IDENTITY, gone int, old_name int);",
        after: "CREATE SCHEMA {s};
                CREATE TABLE {s}.t (a bigint, b text COLLATE \"C\", c int, d int,
                    e int NOT NULL DEFAULT 5, x int, f int,
                    m bigint GENERATED ALWAYS AS (x * 3) STORED,
                    g int GENERATED ALWAYS AS IDENTITY, h int GENERATED ALWAYS AS IDENTITY,
                    i int NOT NULL, \"New Name\" int,
                    \"user\" text COLLATE \"POSIX\" NOT NULL DEFAULT CURRENT_USER,
                    k bigint GENERATED ALWAYS AS (x + 1) STORED);",
        alter: |s, _, a| {
            let col = |name| column(a, s, "t", name);
            vec![
                ddl::alter_column_type(s, "t", "a", col("a"), None),
                ddl::alter_column_type(s, "t", "b", col("b"), Some("upper(b)")),
                ddl::alter_column_type(s, "t", "m", col("m"), None),
                ddl::drop_column_default(s, "t", "c"),
                ddl::drop_column_not_null(s, "t", "d"),
                ddl::set_column_default(s, "t", "e", col("e").default.as_deref().expect("e")),
                ddl::set_column_not_null(s, "t", "e"),
                ddl::drop_expression(s, "t", "f"),
                ddl::add_identity(s, "t", "g", Identity::Always, &Default::default()),
                ddl::set_identity(s, "t", "h", Identity::Always),
                ddl::drop_identity(s, "t", "i"),
                ddl::drop_column(s, "t", "gone"),
                ddl::rename_column(s, "t", "old_name", "New Name"),
                ddl::add_column(s, "t", "user", col("user")),
                ddl::add_column(s, "t", "k", col("k")),
            ]
        },
    },
    Case {
        name: "table options",
        before: "CREATE SCHEMA {s};
                 CREATE TABLE {s}.t (a int) WITH (fillfactor = 70, autovacuum_enabled = false);
                 CREATE UNLOGGED TABLE {s}.u (a int); CREATE TABLE {s}.l (a int);
                 CREATE TABLE {s}.r (a int); ALTER TABLE {s}.r ENABLE ROW LEVEL SECURITY;
                 ALTER TABLE {s}.r FORCE ROW LEVEL SECURITY;
                 CREATE TABLE {s}.old_name (a int); CREATE TABLE {s}.gone (a int);",
        after: "CREATE SCHEMA {s};
                CREATE TABLE {s}.t (a int) WITH (fillfactor = 80, toast_tuple_target = 256);
                CREATE TABLE {s}.u (a int); CREATE UNLOGGED TABLE {s}.l (a int);
                ALTER TABLE {s}.l ENABLE ROW LEVEL SECURITY; ALTER TABLE {s}.l FORCE ROW LEVEL SECURITY;
                CREATE TABLE {s}.r (a int); CREATE TABLE {s}.\"New Name\" (a int);",
        alter: |s, b, a| {
            let options = |m: &Schema| table(m, s, "t").reloptions.clone();
            vec![
                ddl::set_reloptions(Relation::Table, s, "t", &options(b), &options(a))
                    .expect("options differ"),
                ddl::set_persistence(s, "u", Persistence::Permanent),
                ddl::set_persistence(s, "l", Persistence::Unlogged),
                ddl::set_row_level_security(s, "l", true),
                ddl::set_row_level_security_forced(s, "l", true),
                ddl::set_row_level_security(s, "r", false),
                ddl::set_row_level_security_forced(s, "r", false),
                ddl::rename_table(s, "old_name", "New Name"),
                ddl::drop_table(s, "gone"),
            ]
        },
    },
    Case {
        name: "partitions",
        before: "CREATE SCHEMA {s};
                 CREATE TABLE {s}.p (id int, d date) PARTITION BY RANGE (d);
                 CREATE TABLE {s}.p1 (id int, d date);
                 CREATE TABLE {s}.p2 PARTITION OF {s}.p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');",
        after: "CREATE SCHEMA {s};
                CREATE TABLE {s}.p (id int, d date) PARTITION BY RANGE (d);
                CREATE TABLE {s}.p1 PARTITION OF {s}.p FOR VALUES FROM ('2021-01-01') TO ('2022-01-01');
                CREATE TABLE {s}.p2 (id int, d date);",
        alter: |s, b, a| {
            let p1 = table(a, s, "p1");
            let parent = p1.partition_of.as_deref().expect("a partition");
            let bound = p1.partition_bound.as_deref().expect("a bound");
            let old_parent = table(b, s, "p2").partition_of.as_deref().expect("a partition");
            vec![
                ddl::attach_partition(parent, s, "p1", bound),
                ddl::detach_partition(old_parent, s, "p2"),
            ]
        },
    },
    Case {
        name: "partition created standalone",
        before: "CREATE SCHEMA {s};
                 CREATE TABLE {s}.p (id int NOT NULL, k text DEFAULT 'x', v text) PARTITION BY LIST (k);",
        after: "CREATE SCHEMA {s};
                CREATE TABLE {s}.p (id int NOT NULL, k text DEFAULT 'x', v text) PARTITION BY LIST (k);
                CREATE TABLE {s}.p_a PARTITION OF {s}.p FOR VALUES IN ('a');
                CREATE TABLE {s}.p_b PARTITION OF {s}.p (k WITH OPTIONS DEFAULT 'b', v WITH OPTIONS NOT NULL)
                    FOR VALUES IN ('b');
                ALTER TABLE {s}.p_b ALTER COLUMN id SET DEFAULT 0;",
        alter: |s, _, a| {
            let (p_a, p_b, p) = (table(a, s, "p_a"), table(a, s, "p_b"), table(a, s, "p"));
            let standalone = TableParts {
                standalone: true,
                parents: &[],
                ..TableParts::default()
            };
            let mut out = ddl::create_table(s, "p_a", p_a, standalone).expect("prints");
            out.push(ddl::attach_partition(
                p_a.partition_of.as_deref().expect("partition"),
                s,
                "p_a",
                p_a.partition_bound.as_deref().expect("bound"),
            ));
            let parts = TableParts {
                standalone: false,
                parents: &[p],
                ..TableParts::default()
            };
            out.extend(ddl::create_table(s, "p_b", p_b, parts).expect("prints"));
            out
        },
    },
    Case {
        name: "inheritance",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.parent (a int, b text);
                 CREATE TABLE {s}.c1 (a int, b text, c int);
                 CREATE TABLE {s}.c2 (c int) INHERITS ({s}.parent);",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.parent (a int, b text);
                CREATE TABLE {s}.c1 (c int) INHERITS ({s}.parent);
                CREATE TABLE {s}.c2 (a int, b text, c int);
                CREATE TABLE {s}.odd (c int, b text, a int);
                ALTER TABLE {s}.odd INHERIT {s}.parent;",
        alter: |s, _, a| {
            let odd = table(a, s, "odd");
            let parent = odd.inherits[0].as_str();
            let parents = [table(a, s, "parent")];
            let attached = TableParts {
                standalone: false,
                parents: &parents,
                ..TableParts::default()
            };
            // INHERITS would put the inherited columns first.
            assert!(ddl::create_table(s, "odd", odd, attached).is_err());
            let standalone = TableParts {
                standalone: true,
                parents: &parents,
                ..TableParts::default()
            };
            let mut out = vec![
                ddl::inherit(s, "c1", parent),
                ddl::no_inherit(s, "c2", parent),
            ];
            out.extend(ddl::create_table(s, "odd", odd, standalone).expect("prints"));
            out.push(ddl::inherit(s, "odd", parent));
            out
        },
    },
    Case {
        name: "indexes",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int, b text);
                 CREATE INDEX old_idx ON {s}.t (a); CREATE INDEX gone_idx ON {s}.t (b);
                 CREATE INDEX gone2_idx ON {s}.t (a, b);",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int, b text);
                CREATE INDEX \"New Idx\" ON {s}.t (a);
                CREATE UNIQUE INDEX \"Unique B\" ON {s}.t (lower(b)) WHERE a > 0;
                CREATE INDEX b_idx ON {s}.t USING hash (b);",
        alter: |s, _, a| {
            let t = table(a, s, "t");
            vec![
                ddl::rename_index(s, "old_idx", "New Idx"),
                ddl::drop_index(s, "gone_idx"),
                ddl::drop_index_concurrently(s, "gone2_idx"),
                ddl::create_index_concurrently(&t.indexes["Unique B"]).expect("plain index"),
                ddl::create_index_concurrently(&t.indexes["b_idx"]).expect("plain index"),
            ]
        },
    },
    Case {
        name: "views",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int, b int);
                 CREATE VIEW {s}.v AS SELECT a FROM {s}.t;
                 CREATE VIEW {s}.old_v AS SELECT 1 AS x; CREATE VIEW {s}.gone_v AS SELECT 1 AS x;
                 CREATE MATERIALIZED VIEW {s}.gone_m AS SELECT 1 AS x;
                 CREATE MATERIALIZED VIEW {s}.m AS SELECT a FROM {s}.t WITH NO DATA;
                 CREATE UNIQUE INDEX m_a ON {s}.m (a);
                 CREATE VIEW {s}.opts WITH (security_barrier = true) AS SELECT a FROM {s}.t;",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int, b int);
                CREATE VIEW {s}.v AS SELECT a, b AS \"B b\" FROM {s}.t;
                CREATE VIEW {s}.\"New V\" AS SELECT 1 AS x;
                CREATE MATERIALIZED VIEW {s}.m WITH (fillfactor = 60) AS SELECT a FROM {s}.t;
                CREATE UNIQUE INDEX m_a ON {s}.m (a);
                CREATE VIEW {s}.opts WITH (check_option = cascaded) AS SELECT a FROM {s}.t;
                CREATE MATERIALIZED VIEW {s}.fresh AS SELECT 2 AS y WITH NO DATA;",
        alter: |s, b, a| {
            let (before, after) = (&b.schemas[s].views, &a.schemas[s].views);
            vec![
                ddl::create_or_replace_view(s, "v", &after["v"]).expect("a view"),
                ddl::rename_view(s, "old_v", false, "New V"),
                ddl::drop_view(s, "gone_v", false),
                ddl::drop_view(s, "gone_m", true),
                ddl::set_reloptions(
                    Relation::MaterializedView,
                    s,
                    "m",
                    &before["m"].reloptions,
                    &after["m"].reloptions,
                )
                .expect("options differ"),
                ddl::refresh_materialized_view(s, "m", false),
                ddl::refresh_materialized_view(s, "m", true),
                ddl::set_reloptions(
                    Relation::View,
                    s,
                    "opts",
                    &before["opts"].reloptions,
                    &after["opts"].reloptions,
                )
                .expect("options differ"),
                ddl::create_materialized_view(s, "fresh", &after["fresh"], false),
            ]
        },
    },
    Case {
        name: "triggers",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int);
                 CREATE FUNCTION {s}.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
                 CREATE TRIGGER old_t BEFORE INSERT ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.f();
                 CREATE TRIGGER gone BEFORE INSERT ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.f();
                 CREATE TRIGGER d BEFORE UPDATE ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.f();
                 ALTER TABLE {s}.t DISABLE TRIGGER d;
                 CREATE TRIGGER r BEFORE DELETE ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.f();",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int);
                CREATE FUNCTION {s}.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
                CREATE TRIGGER \"New T\" BEFORE INSERT ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.f();
                CREATE TRIGGER d BEFORE UPDATE ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.f();
                CREATE TRIGGER r BEFORE DELETE ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.f();
                ALTER TABLE {s}.t ENABLE REPLICA TRIGGER r;",
        alter: |s, _, _| {
            vec![
                ddl::rename_trigger(s, "t", "old_t", "New T"),
                ddl::drop_trigger(s, "t", "gone"),
                ddl::set_trigger_enabled(s, "t", "d", "O").expect("state"),
                ddl::set_trigger_enabled(s, "t", "r", "R").expect("state"),
            ]
        },
    },
    Case {
        name: "policies",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int, owner text);
                 CREATE POLICY p ON {s}.t FOR UPDATE TO ddl_reader USING (a > 0) WITH CHECK (a > 1);
                 CREATE POLICY old_p ON {s}.t USING (true); CREATE POLICY gone ON {s}.t USING (true);
                 CREATE POLICY q ON {s}.t FOR SELECT USING (true);",
        after: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int, owner text);
                CREATE POLICY p ON {s}.t FOR UPDATE TO \"Ddl Auditor\", ddl_writer
                    USING (owner = current_user) WITH CHECK (a > 2);
                CREATE POLICY \"New P\" ON {s}.t USING (true);
                CREATE POLICY q ON {s}.t FOR SELECT TO ddl_reader USING (true);",
        alter: |s, b, a| {
            let (before, after) = (&table(b, s, "t").policies, &table(a, s, "t").policies);
            let mut no_check = after["p"].clone();
            no_check.with_check = None;
            assert!(ddl::alter_policy(s, "t", "p", &before["p"], &no_check).is_err());
            assert_eq!(
                ddl::alter_policy(s, "t", "q", &before["q"], &before["q"]),
                Ok(None)
            );
            vec![
                ddl::alter_policy(s, "t", "p", &before["p"], &after["p"])
                    .expect("alterable")
                    .expect("differs"),
                ddl::alter_policy(s, "t", "q", &before["q"], &after["q"])
                    .expect("alterable")
                    .expect("differs"),
                ddl::rename_policy(s, "t", "old_p", "New P"),
                ddl::drop_policy(s, "t", "gone"),
            ]
        },
    },
    Case {
        name: "owners",
        before: "CREATE SCHEMA {s}; CREATE TABLE {s}.t (a int); CREATE VIEW {s}.v AS SELECT 1 AS x;
                 CREATE MATERIALIZED VIEW {s}.m AS SELECT 1 AS x; CREATE SEQUENCE {s}.q;
                 CREATE FUNCTION {s}.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
                 CREATE PROCEDURE {s}.p() LANGUAGE sql AS 'SELECT 1';
                 CREATE AGGREGATE {s}.agg(int) (SFUNC = int4pl, STYPE = int);
                 CREATE TYPE {s}.e AS ENUM (); CREATE DOMAIN {s}.d AS int;",
        after: "CREATE SCHEMA {s} AUTHORIZATION ddl_owner; CREATE TABLE {s}.t (a int);
                CREATE VIEW {s}.v AS SELECT 1 AS x;
                CREATE MATERIALIZED VIEW {s}.m AS SELECT 1 AS x; CREATE SEQUENCE {s}.q;
                CREATE FUNCTION {s}.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
                CREATE PROCEDURE {s}.p() LANGUAGE sql AS 'SELECT 1';
                CREATE AGGREGATE {s}.agg(int) (SFUNC = int4pl, STYPE = int);
                CREATE TYPE {s}.e AS ENUM (); CREATE DOMAIN {s}.d AS int;
                ALTER TABLE {s}.t OWNER TO ddl_owner; ALTER VIEW {s}.v OWNER TO \"Ddl Auditor\";
                ALTER MATERIALIZED VIEW {s}.m OWNER TO ddl_owner;
                ALTER SEQUENCE {s}.q OWNER TO ddl_owner; ALTER FUNCTION {s}.f() OWNER TO ddl_owner;
                ALTER PROCEDURE {s}.p() OWNER TO ddl_owner;
                ALTER AGGREGATE {s}.agg(int) OWNER TO ddl_owner;
                ALTER TYPE {s}.e OWNER TO ddl_owner; ALTER DOMAIN {s}.d OWNER TO ddl_owner;",
        alter: |s, _, a| {
            let ns = &a.schemas[s];
            let mut objects = vec![
                (Object::Schema { name: s }, ns.owner.as_str()),
                (Object::Table { schema: s, name: "t" }, &ns.tables["t"].owner),
                (Object::Sequence { schema: s, name: "q" }, &ns.sequences["q"].owner),
            ];
            for (name, view) in &ns.views {
                let materialized = view.materialized;
                objects.push((
                    Object::View {
                        schema: s,
                        name,
                        materialized,
                    },
                    &view.owner,
                ));
            }
            for (key, f) in &ns.functions {
                let kind = f.kind;
                objects.push((Object::Function { schema: s, key, kind }, &f.owner));
            }
            for (name, ty) in &ns.types {
                let domain = matches!(ty.definition, TypeDefinition::Domain { .. });
                objects.push((
                    Object::Type {
                        schema: s,
                        name,
                        domain,
                    },
                    &ty.owner,
                ));
            }
            assert!(ddl::owner(&Object::Index { schema: s, name: "i" }, "x").is_err());
            objects
                .iter()
                .map(|(object, role)| ddl::owner(object, role).expect("ownable"))
                .collect()
        },
    },
    Case {
        name: "grants",
        before: "CREATE SCHEMA {s}; GRANT USAGE ON SCHEMA {s} TO ddl_reader;
                 CREATE TABLE {s}.t (a int, b int);
                 GRANT SELECT ON {s}.t TO ddl_reader WITH GRANT OPTION;
                 GRANT INSERT ON {s}.t TO ddl_writer; GRANT UPDATE (a) ON {s}.t TO ddl_writer;
                 CREATE FUNCTION {s}.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
                 CREATE PROCEDURE {s}.p() LANGUAGE sql AS 'SELECT 1';
                 CREATE SEQUENCE {s}.q; GRANT USAGE ON SEQUENCE {s}.q TO ddl_reader;
                 CREATE TYPE {s}.e AS ENUM (); CREATE DOMAIN {s}.d AS int;
                 CREATE VIEW {s}.v AS SELECT 1 AS x;",
        after: "CREATE SCHEMA {s}; GRANT CREATE ON SCHEMA {s} TO ddl_writer WITH GRANT OPTION;
                CREATE TABLE {s}.t (a int, b int);
                GRANT SELECT ON {s}.t TO ddl_reader;
                GRANT INSERT ON {s}.t TO ddl_writer WITH GRANT OPTION;
                GRANT UPDATE (a), SELECT (b) ON {s}.t TO ddl_writer;
                GRANT REFERENCES (b) ON {s}.t TO \"Ddl Auditor\" WITH GRANT OPTION;
                CREATE FUNCTION {s}.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
                REVOKE EXECUTE ON FUNCTION {s}.f() FROM PUBLIC;
                GRANT EXECUTE ON FUNCTION {s}.f() TO \"Ddl Auditor\";
                CREATE PROCEDURE {s}.p() LANGUAGE sql AS 'SELECT 1';
                REVOKE EXECUTE ON PROCEDURE {s}.p() FROM PUBLIC;
                CREATE SEQUENCE {s}.q; GRANT SELECT, UPDATE ON SEQUENCE {s}.q TO ddl_writer;
                CREATE TYPE {s}.e AS ENUM (); REVOKE USAGE ON TYPE {s}.e FROM PUBLIC;
                CREATE DOMAIN {s}.d AS int; GRANT USAGE ON DOMAIN {s}.d TO ddl_reader;
                CREATE VIEW {s}.v AS SELECT 1 AS x; GRANT SELECT ON {s}.v TO PUBLIC;",
        alter: |s, b, a| {
            let function = FunctionKind::Function;
            let procedure = FunctionKind::Procedure;
            let objects = [
                Object::Schema { name: s },
                Object::Table { schema: s, name: "t" },
                Object::Column {
                    schema: s,
                    table: "t",
                    name: "a",
                },
                Object::Column {
                    schema: s,
                    table: "t",
                    name: "b",
                },
                Object::Function {
                    schema: s,
                    key: "f()",
                    kind: function,
                },
                Object::Function {
                    schema: s,
                    key: "p()",
                    kind: procedure,
                },
                Object::Sequence { schema: s, name: "q" },
                Object::Type {
                    schema: s,
                    name: "e",
                    domain: false,
                },
                Object::Type {
                    schema: s,
                    name: "d",
                    domain: true,
                },
                Object::View {
                    schema: s,
                    name: "v",
                    materialized: false,
                },
            ];
            let mut out = Vec::new();
            for object in &objects {
                let (from, to) = (grants_of(b, s, object), grants_of(a, s, object));
                out.extend(ddl::grant_changes(object, from, to).expect("grants"));
            }
            out
        },
    },
    Case {
        name: "comments",
        before: "CREATE SCHEMA {s}; COMMENT ON SCHEMA {s} IS 'old';
                 CREATE TABLE {s}.t (a int CONSTRAINT c CHECK (a > 0)); COMMENT ON TABLE {s}.t IS 'old';
                 CREATE INDEX i ON {s}.t (a); CREATE VIEW {s}.v AS SELECT 1 AS x;
                 CREATE MATERIALIZED VIEW {s}.m AS SELECT 1 AS x; CREATE SEQUENCE {s}.q;
                 CREATE FUNCTION {s}.f(int, text) RETURNS int LANGUAGE sql AS 'SELECT 1';
                 CREATE FUNCTION {s}.tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
                 CREATE TRIGGER tr BEFORE INSERT ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.tf();
                 CREATE POLICY po ON {s}.t USING (true);
                 CREATE PROCEDURE {s}.p() LANGUAGE sql AS 'SELECT 1';
                 CREATE AGGREGATE {s}.agg(int) (SFUNC = int4pl, STYPE = int);
                 CREATE TYPE {s}.e AS ENUM (); CREATE DOMAIN {s}.d AS int CONSTRAINT dc CHECK (VALUE > 0);",
        after: "CREATE SCHEMA {s};
                CREATE TABLE {s}.t (a int CONSTRAINT c CHECK (a > 0));
                COMMENT ON TABLE {s}.t IS 'new ''quoted''
                line two \\ backslash';
                COMMENT ON COLUMN {s}.t.a IS 'column';
                COMMENT ON CONSTRAINT c ON {s}.t IS 'constraint';
                CREATE INDEX i ON {s}.t (a); COMMENT ON INDEX {s}.i IS 'index';
                CREATE VIEW {s}.v AS SELECT 1 AS x; COMMENT ON VIEW {s}.v IS 'view';
                CREATE MATERIALIZED VIEW {s}.m AS SELECT 1 AS x;
                COMMENT ON MATERIALIZED VIEW {s}.m IS 'matview';
                CREATE SEQUENCE {s}.q; COMMENT ON SEQUENCE {s}.q IS 'sequence';
                CREATE FUNCTION {s}.f(int, text) RETURNS int LANGUAGE sql AS 'SELECT 1';
                COMMENT ON FUNCTION {s}.f(int, text) IS 'function';
                CREATE FUNCTION {s}.tf() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
                CREATE TRIGGER tr BEFORE INSERT ON {s}.t FOR EACH ROW EXECUTE FUNCTION {s}.tf();
                COMMENT ON TRIGGER tr ON {s}.t IS 'trigger';
                CREATE POLICY po ON {s}.t USING (true); COMMENT ON POLICY po ON {s}.t IS 'policy';
                CREATE PROCEDURE {s}.p() LANGUAGE sql AS 'SELECT 1';
                COMMENT ON PROCEDURE {s}.p() IS 'procedure';
                CREATE AGGREGATE {s}.agg(int) (SFUNC = int4pl, STYPE = int);
                COMMENT ON AGGREGATE {s}.agg(int) IS 'aggregate';
                CREATE TYPE {s}.e AS ENUM (); COMMENT ON TYPE {s}.e IS 'type';
                CREATE DOMAIN {s}.d AS int CONSTRAINT dc CHECK (VALUE > 0);
                COMMENT ON DOMAIN {s}.d IS 'domain';
                COMMENT ON CONSTRAINT dc ON DOMAIN {s}.d IS 'domain constraint';",
        alter: |s, _, a| {
            let ns = &a.schemas[s];
            let t = &ns.tables["t"];
            let mut out = vec![
                ddl::comment(&Object::Schema { name: s }, None),
                ddl::comment(
                    &Object::Table { schema: s, name: "t" },
                    t.comment.as_deref(),
                ),
                ddl::comment(
                    &Object::Column {
                        schema: s,
                        table: "t",
                        name: "a",
                    },
                    t.columns["a"].comment.as_deref(),
                ),
                ddl::comment(
                    &Object::Constraint {
                        schema: s,
                        table: "t",
                        name: "c",
                    },
                    t.constraints["c"].comment.as_deref(),
                ),
                ddl::comment(
                    &Object::Index { schema: s, name: "i" },
                    t.indexes["i"].comment.as_deref(),
                ),
                ddl::comment(
                    &Object::Trigger {
                        schema: s,
                        table: "t",
                        name: "tr",
                    },
                    t.triggers["tr"].comment.as_deref(),
                ),
                ddl::comment(
                    &Object::Policy {
                        schema: s,
                        table: "t",
                        name: "po",
                    },
                    t.policies["po"].comment.as_deref(),
                ),
                ddl::comment(
                    &Object::Sequence { schema: s, name: "q" },
                    ns.sequences["q"].comment.as_deref(),
                ),
                ddl::comment(
                    &Object::DomainConstraint {
                        schema: s,
                        domain: "d",
                        name: "dc",
                    },
                    ns.types["d"].constraint_comments.get("dc").map(String::as_str),
                ),
            ];
            for (name, view) in &ns.views {
                let materialized = view.materialized;
                let object = Object::View {
                    schema: s,
                    name,
                    materialized,
                };
                out.push(ddl::comment(&object, view.comment.as_deref()));
            }
            for (key, f) in &ns.functions {
                let kind = f.kind;
                let object = Object::Function { schema: s, key, kind };
                out.push(ddl::comment(&object, f.comment.as_deref()));
            }
            for (name, ty) in &ns.types {
                let domain = matches!(ty.definition, TypeDefinition::Domain { .. });
                let object = Object::Type {
                    schema: s,
                    name,
                    domain,
                };
                out.push(ddl::comment(&object, ty.comment.as_deref()));
            }
            out
        },
    },
];

#[tokio::test]
async fn alter_statements_turn_before_into_after() {
    common::ensure_roles(ROLES).await;
    let before_sql: String = CASES.iter().map(|c| case_sql(c, c.before) + "\n").collect();
    let after_sql: String = CASES.iter().map(|c| case_sql(c, c.after) + "\n").collect();
    let before = common::db_with("ddl_before", &before_sql).await;
    let after = common::db_with("ddl_after", &after_sql).await;
    let before_model = common::read_schema(&before).await;
    let after_model = common::read_schema(&after).await;

    // Every case changes something, so none can pass by doing nothing.
    for case in CASES {
        let s = case_schema(case);
        let old = format!("{s} old");
        let part = |m: &Schema| {
            let schemas = [&s, &old].map(|n| m.schemas.get(n.as_str()).cloned());
            (
                schemas,
                (case.name == "extensions").then(|| m.extensions.clone()),
            )
        };
        assert_ne!(
            part(&before_model),
            part(&after_model),
            "case {:?}: before and after build the same model",
            case.name
        );
    }

    let client = before.client().await;
    client
        .batch_execute("SET search_path = ''")
        .await
        .expect("set search_path");
    let mut failures = Vec::new();
    let mut script = Vec::new();
    for case in CASES {
        let statements = (case.alter)(&case_schema(case), &before_model, &after_model);
        for statement in statements {
            if let Err(e) = client.batch_execute(&statement).await {
                let message = e.as_db_error().map_or_else(
                    || e.to_string(),
                    |d| format!("{}: {}", d.code().code(), d.message()),
                );
                failures.push(format!("{}: {statement}\n    {message}", case.name));
            }
            script.push(format!("-- {}\n{statement}", case.name));
        }
    }
    assert!(
        failures.is_empty(),
        "statements failed:\n{}",
        failures.join("\n")
    );
    let altered = common::read_schema(&before).await;
    assert_same_model(&after_model, &altered, &script);
}
