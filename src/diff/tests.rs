//! Hand-built models, one difference at a time: each test changes one thing and asserts the one
//! finding it must give (rule id, object, kind, group) and that nothing else is reported.

use std::collections::BTreeMap;

use super::*;
use crate::model::*;

/// A change to a model and the name it is expected under (a property name, or an object).
type Case<T> = (fn(&mut T), &'static str);
/// A change to the schema, the object expected in the finding and its kind.
type ObjectCase = (fn(&mut Schema), &'static str, ObjectKind);

fn grant(grantee: &str, privilege: &str) -> Grant {
    Grant {
        grantee: grantee.to_string(),
        privilege: privilege.to_string(),
        grantable: false,
    }
}

fn column(position: u32, data_type: &str) -> Box<Column> {
    Box::new(Column {
        position,
        data_type: data_type.to_string(),
        not_null: false,
        default: None,
        identity: None,
        generated: None,
        collation: None,
        comment: None,
        grants: Vec::new(),
        ..Default::default()
    })
}

fn index(definition: &str) -> Index {
    Index {
        definition: definition.to_string(),
        ..Default::default()
    }
}

fn trigger(definition: &str) -> Trigger {
    Trigger {
        definition: definition.to_string(),
        enabled: "O".to_string(),
        comment: None,
    }
}

fn map<V>(entries: impl IntoIterator<Item = (&'static str, V)>) -> BTreeMap<String, V> {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn orders() -> Table {
    let mut id = column(1, "bigint");
    id.not_null = true;
    id.identity = Some(Identity::Always);
    let mut customer_id = column(2, "bigint");
    customer_id.not_null = true;
    let mut total = column(3, "numeric(12,2)");
    total.not_null = true;
    total.default = Some("0".to_string());
    total.grants = vec![grant("reporting", "SELECT")];
    let mut status = column(4, "public.order_status");
    status.comment = Some("Where the order is".to_string());
    Table {
        owner: "app_owner".to_string(),
        comment: Some("Customer orders".to_string()),
        grants: vec![grant("app_user", "INSERT"), grant("app_user", "SELECT")],
        rls_enabled: true,
        columns: map([
            ("id", id),
            ("customer_id", customer_id),
            ("total", total),
            ("status", status),
        ]),
        constraints: map([
            (
                "orders_pkey",
                Constraint {
                    kind: ConstraintKind::PrimaryKey,
                    definition: "PRIMARY KEY (id)".to_string(),
                    comment: None,
                },
            ),
            (
                "orders_customer_id_fkey",
                Constraint {
                    kind: ConstraintKind::ForeignKey,
                    definition: "FOREIGN KEY (customer_id) REFERENCES public.customers(id)"
                        .to_string(),
                    comment: None,
                },
            ),
        ]),
        indexes: map([(
            "orders_customer_idx",
            index("CREATE INDEX orders_customer_idx ON public.orders USING btree (customer_id)"),
        )]),
        triggers: map([(
            "orders_touch",
            trigger(
                "CREATE TRIGGER orders_touch BEFORE UPDATE ON public.orders FOR EACH ROW \
                 EXECUTE FUNCTION public.touch()",
            ),
        )]),
        policies: map([(
            "tenant_isolation",
            Policy {
                command: "ALL".to_string(),
                permissive: true,
                roles: vec!["app_user".to_string()],
                using: Some("(tenant_id = 1)".to_string()),
                with_check: None,
                comment: None,
            },
        )]),
        ..Table::default()
    }
}

fn customers() -> Table {
    let mut id = column(1, "bigint");
    id.not_null = true;
    Table {
        owner: "app_owner".to_string(),
        columns: map([("id", id), ("name", column(2, "text"))]),
        ..Table::default()
    }
}

fn view(definition: &str) -> View {
    View {
        owner: "app_owner".to_string(),
        comment: None,
        grants: vec![grant("app_user", "SELECT")],
        materialized: false,
        definition: definition.to_string(),
        reloptions: Vec::new(),
        indexes: BTreeMap::new(),
        triggers: BTreeMap::new(),
        column_comments: Default::default(),
        column_defaults: Default::default(),
        cluster_on: None,
        column_grants: Default::default(),
    }
}

fn daily_totals() -> View {
    let mut v = view(concat!(
        " SELECT date(created_at) AS day,\n",
        "    sum(total) AS total\n",
        "   FROM public.orders\n",
        "  GROUP BY (date(created_at));"
    ));
    v.materialized = true;
    v.indexes = map([(
        "daily_totals_day_idx",
        index("CREATE UNIQUE INDEX daily_totals_day_idx ON public.daily_totals USING btree (day)"),
    )]);
    v
}

fn sequence() -> Sequence {
    Sequence {
        owner: "app_owner".to_string(),
        comment: None,
        grants: vec![grant("app_user", "USAGE")],
        data_type: "bigint".to_string(),
        start: 1,
        increment: 1,
        min_value: 1,
        max_value: i64::MAX,
        cache: 1,
        cycle: false,
        owned_by: None,
    }
}

fn function(kind: FunctionKind, body: &str) -> Function {
    Function {
        owner: "app_owner".to_string(),
        comment: None,
        grants: vec![grant("PUBLIC", "EXECUTE")],
        kind,
        arguments: "order_id integer, sku text".to_string(),
        returns: "integer".to_string(),
        language: "plpgsql".to_string(),
        body: body.to_string(),
        volatility: "volatile".to_string(),
        strict: false,
        security_definer: false,
        leakproof: false,
        parallel: "unsafe".to_string(),
        cost: 100.0,
        rows: None,
        config: Vec::new(),
        extensions: Vec::new(),
    }
}

fn user_type(definition: TypeDefinition) -> Type {
    Type {
        owner: "app_owner".to_string(),
        comment: None,
        grants: vec![grant("PUBLIC", "USAGE")],
        constraint_comments: Default::default(),
        definition,
    }
}

fn labels(labels: &[&str]) -> TypeDefinition {
    TypeDefinition::Enum {
        labels: labels.iter().map(|l| l.to_string()).collect(),
    }
}

/// A small application schema with one of everything.
fn app() -> Schema {
    let public = Namespace {
        owner: "pg_database_owner".to_string(),
        comment: Some("standard public schema".to_string()),
        grants: vec![grant("PUBLIC", "USAGE")],
        tables: map([("orders", orders()), ("customers", customers())]),
        views: map([
            (
                "open_orders",
                view(" SELECT id,\n    total\n   FROM public.orders\n  WHERE (status = 'open');"),
            ),
            ("daily_totals", daily_totals()),
        ]),
        sequences: map([("invoice_seq", sequence())]),
        functions: map([
            (
                "add_item(integer, text)",
                function(FunctionKind::Function, "\nBEGIN\n  RETURN 1;\nEND;\n"),
            ),
            (
                "touch()",
                function(FunctionKind::Function, "BEGIN NEW.updated_at := now(); END"),
            ),
        ]),
        types: map([
            (
                "order_status",
                user_type(labels(&["open", "paid", "shipped"])),
            ),
            (
                "positive_int",
                user_type(TypeDefinition::Domain {
                    base_type: "integer".to_string(),
                    not_null: false,
                    default: None,
                    collation: None,
                    constraints: map([("positive", "CHECK ((VALUE > 0))".to_string())]),
                }),
            ),
        ]),
    };
    let billing = Namespace {
        owner: "billing_owner".to_string(),
        tables: map([("invoices", customers())]),
        ..Namespace::default()
    };
    Schema {
        schemas: map([("public", public), ("billing", billing)]),
        extensions: map([(
            "pgcrypto",
            Extension {
                version: "1.3".to_string(),
                schema: "public".to_string(),
                comment: Some("cryptographic functions".to_string()),
                member_grants: Vec::new(),
            },
        )]),
        dependencies: Vec::new(),
        defined: Vec::new(),
        cockroachdb: None,
    }
}

fn public(s: &mut Schema) -> &mut Namespace {
    s.schemas.get_mut("public").expect("fixture has public")
}

fn orders_of(s: &mut Schema) -> &mut Table {
    public(s)
        .tables
        .get_mut("orders")
        .expect("fixture has orders")
}

fn orders_column<'a>(s: &'a mut Schema, name: &str) -> &'a mut Column {
    orders_of(s).columns.get_mut(name).expect("fixture column")
}

fn add_item(s: &mut Schema) -> &mut Function {
    public(s)
        .functions
        .get_mut("add_item(integer, text)")
        .expect("fixture function")
}

/// Diff `expected` against `actual` and return the single finding, failing on any other count.
fn only(expected: &Schema, actual: &Schema) -> Finding {
    let findings = diff(expected, actual).findings;
    assert_eq!(
        findings.len(),
        1,
        "expected exactly one finding, got {findings:#?}"
    );
    let finding = findings.into_iter().next().expect("one finding");
    assert!(
        crate::rules::rule(finding.rule.as_str()).is_some(),
        "unknown rule id {}",
        finding.rule
    );
    finding
}

/// Change `actual` (a copy of the fixture) and assert the one finding's rule and object.
fn actual_changed(change: impl FnOnce(&mut Schema), rule: &str, object: &str) -> Finding {
    let expected = app();
    let mut actual = app();
    change(&mut actual);
    let finding = only(&expected, &actual);
    assert_eq!(
        (finding.rule.as_str(), finding.object.as_str()),
        (rule, object)
    );
    finding
}

#[test]
fn identical_schemas_give_no_findings() {
    let comparison = diff(&app(), &app());
    assert_eq!(comparison.findings, Vec::new());
    assert_eq!(
        diff(&Schema::default(), &Schema::default()),
        Comparison::default()
    );
}

#[test]
fn dependency_edges_are_not_compared() {
    // Edges order a plan; they are not drift. A schema read before the edges existed, or on a
    // server that records other edges, compares equal to one that has them.
    let mut actual = app();
    actual.dependencies = vec![Dependency {
        from: ObjectPath::in_schema(ObjectKind::View, "public", "daily_totals"),
        to: ObjectPath::child(ObjectKind::Column, "public", "orders", "total"),
        auto: false,
    }];
    assert_eq!(diff(&app(), &actual), diff(&app(), &app()));
    assert_eq!(diff(&actual, &app()), diff(&app(), &app()));
}

#[test]
fn compared_lists_every_top_level_object_once_sorted() {
    let mut actual = app();
    public(&mut actual)
        .tables
        .insert("extra_table".to_string(), customers());
    let compared = diff(&app(), &actual).compared;
    let names: Vec<(ObjectKind, &str)> =
        compared.iter().map(|c| (c.kind, c.name.as_str())).collect();
    assert_eq!(
        names,
        vec![
            (ObjectKind::Schema, "billing"),
            (ObjectKind::Schema, "public"),
            (ObjectKind::Extension, "pgcrypto"),
            (ObjectKind::Table, "billing.invoices"),
            (ObjectKind::Table, "public.customers"),
            (ObjectKind::Table, "public.extra_table"),
            (ObjectKind::Table, "public.orders"),
            (ObjectKind::View, "public.open_orders"),
            (ObjectKind::MaterializedView, "public.daily_totals"),
            (ObjectKind::Sequence, "public.invoice_seq"),
            (ObjectKind::Function, "public.add_item(integer, text)"),
            (ObjectKind::Function, "public.touch()"),
            (ObjectKind::Type, "public.order_status"),
            (ObjectKind::Type, "public.positive_int"),
        ]
    );
}

// Schemas and extensions.

#[test]
fn schema_missing_reports_only_the_schema() {
    let f = actual_changed(
        |s| {
            s.schemas.remove("billing");
        },
        "schema.missing",
        "billing",
    );
    assert_eq!(f.kind, ObjectKind::Schema);
    assert_eq!(
        f.expected.as_deref(),
        Some("1 table owned by billing_owner")
    );
    assert_eq!(f.actual, None);
    assert_eq!(f.message, "schema billing is missing");
    // What a missing schema holds was not compared one by one.
    let compared = diff(&app(), &{
        let mut s = app();
        s.schemas.remove("billing");
        s
    })
    .compared;
    assert!(!compared.iter().any(|c| c.name == "billing.invoices"));
}

#[test]
fn schema_extra() {
    let f = actual_changed(
        |s| {
            s.schemas
                .insert("Audit Log".to_string(), Namespace::default());
        },
        "schema.extra",
        "\"Audit Log\"",
    );
    assert_eq!(f.expected, None);
    assert!(f.actual.is_some());
}

#[test]
fn extension_missing_extra_and_version() {
    actual_changed(
        |s| {
            s.extensions.clear();
        },
        "extension.missing",
        "pgcrypto",
    );
    let f = actual_changed(
        |s| {
            s.extensions.insert(
                "uuid-ossp".to_string(),
                Extension {
                    version: "1.1".to_string(),
                    schema: "public".to_string(),
                    comment: None,
                    member_grants: Vec::new(),
                },
            );
        },
        "extension.extra",
        "\"uuid-ossp\"",
    );
    assert_eq!(f.kind, ObjectKind::Extension);
    let f = actual_changed(
        |s| s.extensions.get_mut("pgcrypto").expect("fixture").version = "1.2".to_string(),
        "extension.version",
        "pgcrypto",
    );
    assert_eq!(f.expected.as_deref(), Some("version 1.3, schema public"));
    assert_eq!(f.actual.as_deref(), Some("version 1.2, schema public"));
    assert_eq!(f.group, "pgcrypto");
    assert_eq!(f.group_kind, ObjectKind::Extension);
    actual_changed(
        |s| s.extensions.get_mut("pgcrypto").expect("fixture").schema = "ext".to_string(),
        "extension.version",
        "pgcrypto",
    );
}

// Tables.

#[test]
fn table_missing_suppresses_its_children() {
    let f = actual_changed(
        |s| {
            public(s).tables.remove("orders");
        },
        "table.missing",
        "public.orders",
    );
    assert_eq!(f.kind, ObjectKind::Table);
    assert_eq!(f.group, "public.orders");
    let shown = f.expected.expect("definition of the missing table");
    assert!(
        shown.contains("    total numeric(12,2) NOT NULL DEFAULT 0,\n"),
        "{shown}"
    );
    assert!(
        shown.contains("CONSTRAINT orders_pkey PRIMARY KEY (id)"),
        "{shown}"
    );
    assert_eq!(f.message, "table public.orders is missing");
}

#[test]
fn table_extra() {
    let f = actual_changed(
        |s| {
            public(s)
                .tables
                .insert("tmp_import".to_string(), customers());
        },
        "table.extra",
        "public.tmp_import",
    );
    assert_eq!(f.message, "table public.tmp_import is extra");
}

#[test]
fn table_properties_give_one_finding_each() {
    let cases: Vec<Case<Table>> = vec![
        (|t| t.persistence = Persistence::Unlogged, "persistence"),
        (
            |t| t.partition_key = Some("RANGE (created_at)".to_string()),
            "partition key",
        ),
        (
            |t| t.partition_of = Some("public.all_orders".to_string()),
            "partition parent",
        ),
        (
            |t| t.partition_bound = Some("DEFAULT".to_string()),
            "partition bound",
        ),
        (
            |t| t.inherits = vec!["public.base".to_string()],
            "inheritance",
        ),
        (|t| t.rls_enabled = false, "row-level security"),
        (|t| t.rls_forced = true, "forced row-level security"),
        (
            |t| t.reloptions = vec!["fillfactor=70".to_string()],
            "storage parameters",
        ),
    ];
    for (change, property) in cases {
        let f = actual_changed(|s| change(orders_of(s)), "table.property", "public.orders");
        assert_eq!(
            f.message,
            format!("{property} of table public.orders differs")
        );
    }
    let mut actual = app();
    orders_of(&mut actual).rls_forced = true;
    orders_of(&mut actual).persistence = Persistence::Unlogged;
    assert_eq!(diff(&app(), &actual).findings.len(), 2);
}

#[test]
fn table_property_values() {
    let f = actual_changed(
        |s| orders_of(s).rls_enabled = false,
        "table.property",
        "public.orders",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("enabled"), Some("disabled"))
    );
    let f = actual_changed(
        |s| orders_of(s).reloptions = vec!["fillfactor=70".to_string()],
        "table.property",
        "public.orders",
    );
    assert_eq!(
        (f.expected, f.actual.as_deref()),
        (None, Some("fillfactor=70"))
    );
}

#[test]
fn table_storage_and_replication_properties_have_their_own_rules() {
    use crate::model::ReplicaIdentity;
    let f = actual_changed(
        |s| orders_of(s).replica_identity = ReplicaIdentity::Index("orders_pkey".to_string()),
        "table.replica_identity",
        "public.orders",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (
            Some("REPLICA IDENTITY DEFAULT"),
            Some("REPLICA IDENTITY USING INDEX orders_pkey")
        )
    );
    assert_eq!(f.message, "replica identity of table public.orders differs");
    let f = actual_changed(
        |s| orders_of(s).cluster_on = Some("orders_customer_idx".to_string()),
        "table.cluster",
        "public.orders",
    );
    assert_eq!(f.actual.as_deref(), Some("CLUSTER ON orders_customer_idx"));
    let f = actual_changed(
        |s| orders_of(s).access_method = Some("columnar".to_string()),
        "table.access_method",
        "public.orders",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("heap"), Some("columnar"))
    );
    actual_changed(
        |s| orders_of(s).tablespace = Some("fast".to_string()),
        "table.tablespace",
        "public.orders",
    );
}

#[test]
fn index_validity_and_tablespace() {
    let index = |s: &mut Schema| {
        orders_of(s)
            .indexes
            .get_mut("orders_customer_idx")
            .expect("index")
            .clone()
    };
    let f = actual_changed(
        |s| {
            let mut i = index(s);
            i.invalid = true;
            orders_of(s).indexes.insert("orders_customer_idx".into(), i);
        },
        "index.invalid",
        "public.orders_customer_idx",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("valid"), Some("invalid"))
    );
    actual_changed(
        |s| {
            let mut i = index(s);
            i.tablespace = Some("fast".to_string());
            orders_of(s).indexes.insert("orders_customer_idx".into(), i);
        },
        "index.tablespace",
        "public.orders_customer_idx",
    );
    // Another definition is the one finding: the index is made again whole.
    actual_changed(
        |s| {
            let mut i = index(s);
            i.invalid = true;
            i.definition.push_str(" WHERE (customer_id > 0)");
            orders_of(s).indexes.insert("orders_customer_idx".into(), i);
        },
        "index.definition",
        "public.orders_customer_idx",
    );
}

// Columns.

#[test]
fn column_missing_and_extra() {
    let f = actual_changed(
        |s| {
            orders_of(s).columns.remove("total");
            // Dropping a column shifts the positions after it: not a reordering.
            orders_column(s, "status").position = 3;
        },
        "column.missing",
        "public.orders.total",
    );
    assert_eq!(f.kind, ObjectKind::Column);
    assert_eq!(f.group, "public.orders");
    assert_eq!(f.group_kind, ObjectKind::Table);
    assert_eq!(
        f.expected.as_deref(),
        Some("numeric(12,2) NOT NULL DEFAULT 0")
    );
    assert_eq!(f.actual, None);
    assert_eq!(f.message, "column public.orders.total is missing");

    let f = actual_changed(
        |s| {
            orders_of(s)
                .columns
                .insert("note".to_string(), column(5, "text"));
        },
        "column.extra",
        "public.orders.note",
    );
    assert_eq!((f.expected, f.actual.as_deref()), (None, Some("text")));
}

#[test]
fn column_type() {
    let f = actual_changed(
        |s| orders_column(s, "total").data_type = "integer".to_string(),
        "column.type",
        "public.orders.total",
    );
    assert_eq!(
        f.message,
        "column public.orders.total has type numeric(12,2) in expected, integer in actual"
    );
    assert_eq!(f.expected.as_deref(), Some("numeric(12,2)"));
    assert_eq!(f.actual.as_deref(), Some("integer"));
}

#[test]
fn column_nullable() {
    let f = actual_changed(
        |s| orders_column(s, "total").not_null = false,
        "column.nullable",
        "public.orders.total",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("NOT NULL"), Some("nullable"))
    );
}

#[test]
fn column_default() {
    let f = actual_changed(
        |s| orders_column(s, "total").default = None,
        "column.default",
        "public.orders.total",
    );
    assert_eq!((f.expected.as_deref(), f.actual), (Some("0"), None));
}

#[test]
fn column_identity() {
    let f = actual_changed(
        |s| orders_column(s, "id").identity = Some(Identity::ByDefault),
        "column.identity",
        "public.orders.id",
    );
    assert_eq!(
        f.actual.as_deref(),
        Some("GENERATED BY DEFAULT AS IDENTITY")
    );
}

#[test]
fn column_storage_compression_and_statistics() {
    let f = actual_changed(
        |s| orders_column(s, "status").storage = Some("external".to_string()),
        "column.storage",
        "public.orders.status",
    );
    assert_eq!((f.expected, f.actual.as_deref()), (None, Some("EXTERNAL")));
    assert_eq!(
        f.message,
        "column public.orders.status has storage the type's default in expected, EXTERNAL in \
         actual"
    );
    actual_changed(
        |s| orders_column(s, "status").compression = Some("lz4".to_string()),
        "column.compression",
        "public.orders.status",
    );
    let f = actual_changed(
        |s| orders_column(s, "total").statistics = Some(0),
        "column.statistics",
        "public.orders.total",
    );
    assert_eq!(f.actual.as_deref(), Some("0"));
}

#[test]
fn identity_options_only_between_two_identities() {
    use crate::model::IdentityOptions;
    let options = |s: &mut Schema| {
        orders_column(s, "id").identity_options = Some(Box::new(IdentityOptions {
            increment: Some(5),
            ..IdentityOptions::default()
        }))
    };
    let f = actual_changed(options, "column.identity_options", "public.orders.id");
    assert_eq!(
        f.message,
        "identity sequence of column public.orders.id differs in increment"
    );
    // On a column that is an identity on one side only, the options are part of the identity.
    let mut expected = app();
    orders_column(&mut expected, "id").identity = None;
    let mut actual = app();
    options(&mut actual);
    let f = only(&expected, &actual);
    assert_eq!(f.rule.as_str(), "column.identity");
    assert_eq!(
        f.actual.as_deref(),
        Some("GENERATED ALWAYS AS IDENTITY (INCREMENT BY 5)")
    );
}

#[test]
fn identity_options_keep_only_what_postgres_does_not_choose() {
    use crate::model::{IdentityOptions, SequenceValues};
    let values = |start, increment, min_value, max_value| SequenceValues {
        start,
        increment,
        min_value,
        max_value,
        cache: 1,
        cycle: false,
    };
    let default = values(1, 1, 1, i32::MAX.into());
    assert_eq!(
        IdentityOptions::from_values("integer", default),
        IdentityOptions::default()
    );
    let descending = values(-1, -1, i16::MIN.into(), -1);
    assert_eq!(
        IdentityOptions::from_values("smallint", descending),
        IdentityOptions {
            increment: Some(-1),
            ..IdentityOptions::default()
        }
    );
    // A start that follows a new minimum is not set on its own.
    let raised = values(10, 2, 10, i64::MAX);
    let options = IdentityOptions::from_values("bigint", raised);
    assert_eq!((options.start, options.min_value), (None, Some(10)));
    for (ty, v) in [
        ("integer", default),
        ("smallint", descending),
        ("bigint", raised),
    ] {
        assert_eq!(IdentityOptions::from_values(ty, v).values(ty), v);
    }
}

#[test]
fn column_generated() {
    let f = actual_changed(
        |s| orders_column(s, "total").generated = Some("(1 + 1)".to_string()),
        "column.generated",
        "public.orders.total",
    );
    assert_eq!(
        (f.expected, f.actual.as_deref()),
        (None, Some("GENERATED ALWAYS AS ((1 + 1)) STORED"))
    );
}

#[test]
fn column_collation() {
    actual_changed(
        |s| orders_column(s, "status").collation = Some("pg_catalog.\"C\"".to_string()),
        "column.collation",
        "public.orders.status",
    );
}

#[test]
fn column_appended_at_the_end_is_not_a_reorder() {
    let expected = app();
    let mut actual = app();
    orders_of(&mut actual)
        .columns
        .insert("archived".to_string(), column(5, "boolean"));
    let rules: Vec<&str> = diff(&expected, &actual)
        .findings
        .into_iter()
        .map(|f| f.rule.as_str())
        .collect();
    assert_eq!(rules, vec!["column.extra"]);
}

#[test]
fn column_inserted_in_the_middle_is_not_a_reorder() {
    let mut actual = app();
    orders_column(&mut actual, "total").position = 4;
    orders_column(&mut actual, "status").position = 5;
    orders_of(&mut actual)
        .columns
        .insert("discount".to_string(), column(3, "numeric"));
    let f = only(&app(), &actual);
    assert_eq!(f.rule, "column.extra");
}

#[test]
fn swapped_columns_are_one_order_finding_on_the_table() {
    let f = actual_changed(
        |s| {
            orders_column(s, "total").position = 4;
            orders_column(s, "status").position = 3;
        },
        "column.order",
        "public.orders",
    );
    assert_eq!(f.kind, ObjectKind::Table);
    assert_eq!(
        f.expected.as_deref(),
        Some("id, customer_id, total, status")
    );
    assert_eq!(f.actual.as_deref(), Some("id, customer_id, status, total"));
    assert_eq!(
        f.message,
        "columns of table public.orders are in a different order"
    );
}

// Constraints, indexes, triggers, policies.

#[test]
fn constraint_missing_extra_definition() {
    let f = actual_changed(
        |s| {
            orders_of(s).constraints.remove("orders_pkey");
        },
        "constraint.missing",
        "public.orders.orders_pkey",
    );
    assert_eq!(f.kind, ObjectKind::Constraint);
    assert_eq!(f.group, "public.orders");
    assert_eq!(f.expected.as_deref(), Some("PRIMARY KEY (id)"));
    actual_changed(
        |s| {
            orders_of(s).constraints.insert(
                "total_positive".to_string(),
                Constraint {
                    kind: ConstraintKind::Check,
                    definition: "CHECK ((total > (0)::numeric))".to_string(),
                    comment: None,
                },
            );
        },
        "constraint.extra",
        "public.orders.total_positive",
    );
    let f = actual_changed(
        |s| {
            let fk = orders_of(s)
                .constraints
                .get_mut("orders_customer_id_fkey")
                .expect("fixture");
            fk.definition.push_str(" ON DELETE CASCADE");
        },
        "constraint.definition",
        "public.orders.orders_customer_id_fkey",
    );
    assert!(f.actual.expect("definition").ends_with("ON DELETE CASCADE"));
    actual_changed(
        |s| {
            let pk = orders_of(s)
                .constraints
                .get_mut("orders_pkey")
                .expect("fixture");
            pk.kind = ConstraintKind::Unique;
        },
        "constraint.definition",
        "public.orders.orders_pkey",
    );
}

#[test]
fn index_missing_extra_definition() {
    let f = actual_changed(
        |s| {
            orders_of(s).indexes.clear();
        },
        "index.missing",
        "public.orders_customer_idx",
    );
    assert_eq!(f.kind, ObjectKind::Index);
    assert_eq!(f.message, "index public.orders_customer_idx is missing");
    actual_changed(
        |s| {
            orders_of(s).indexes.insert(
                "orders_total_idx".to_string(),
                index("CREATE INDEX orders_total_idx ON public.orders USING btree (total)"),
            );
        },
        "index.extra",
        "public.orders_total_idx",
    );
    actual_changed(
        |s| {
            orders_of(s).indexes.insert(
                "orders_customer_idx".to_string(),
                index("CREATE INDEX orders_customer_idx ON public.orders USING hash (customer_id)"),
            );
        },
        "index.definition",
        "public.orders_customer_idx",
    );
}

#[test]
fn materialized_view_indexes_are_compared() {
    let f = actual_changed(
        |s| {
            let v = public(s).views.get_mut("daily_totals").expect("fixture");
            v.indexes.clear();
        },
        "index.missing",
        "public.daily_totals_day_idx",
    );
    assert_eq!(f.group, "public.daily_totals");
    assert_eq!(f.group_kind, ObjectKind::MaterializedView);
}

#[test]
fn trigger_missing_extra_definition() {
    let f = actual_changed(
        |s| {
            orders_of(s).triggers.clear();
        },
        "trigger.missing",
        "public.orders.orders_touch",
    );
    assert_eq!(f.kind, ObjectKind::Trigger);
    actual_changed(
        |s| {
            orders_of(s)
                .triggers
                .insert("audit".to_string(), trigger("CREATE TRIGGER audit ..."));
        },
        "trigger.extra",
        "public.orders.audit",
    );
    actual_changed(
        |s| {
            let t = orders_of(s)
                .triggers
                .get_mut("orders_touch")
                .expect("fixture");
            t.definition = t.definition.replace("BEFORE", "AFTER");
        },
        "trigger.definition",
        "public.orders.orders_touch",
    );
    let f = actual_changed(
        |s| {
            let t = orders_of(s)
                .triggers
                .get_mut("orders_touch")
                .expect("fixture");
            t.enabled = "D".to_string();
        },
        "trigger.definition",
        "public.orders.orders_touch",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("ENABLE"), Some("DISABLE"))
    );
}

#[test]
fn view_triggers_are_compared() {
    let f = actual_changed(
        |s| {
            let v = public(s).views.get_mut("open_orders").expect("fixture");
            v.triggers.insert(
                "redirect".to_string(),
                trigger("CREATE TRIGGER redirect INSTEAD OF ..."),
            );
        },
        "trigger.extra",
        "public.open_orders.redirect",
    );
    assert_eq!(f.group_kind, ObjectKind::View);
}

#[test]
fn policy_missing_extra_definition() {
    let f = actual_changed(
        |s| {
            orders_of(s).policies.clear();
        },
        "policy.missing",
        "public.orders.tenant_isolation",
    );
    assert_eq!(f.kind, ObjectKind::Policy);
    assert_eq!(
        f.expected.as_deref(),
        Some("AS PERMISSIVE\nFOR ALL\nTO app_user\nUSING ((tenant_id = 1))")
    );
    actual_changed(
        |s| {
            let mut p = orders_of(s).policies["tenant_isolation"].clone();
            p.command = "SELECT".to_string();
            orders_of(s).policies.insert("read_all".to_string(), p);
        },
        "policy.extra",
        "public.orders.read_all",
    );
    let f = actual_changed(
        |s| {
            let p = orders_of(s)
                .policies
                .get_mut("tenant_isolation")
                .expect("fixture");
            p.roles.push("reporting".to_string());
            p.with_check = Some("true".to_string());
        },
        "policy.definition",
        "public.orders.tenant_isolation",
    );
    assert_eq!(
        f.message,
        "policy public.orders.tenant_isolation differs in roles, WITH CHECK expression"
    );
}

// Views, sequences, functions, types.

#[test]
fn view_missing_extra_definition() {
    let f = actual_changed(
        |s| {
            public(s).views.remove("daily_totals");
        },
        "view.missing",
        "public.daily_totals",
    );
    assert_eq!(f.kind, ObjectKind::MaterializedView);
    assert_eq!(
        f.message,
        "materialized view public.daily_totals is missing"
    );
    let f = actual_changed(
        |s| {
            public(s).views.insert("v2".to_string(), view(" SELECT 1;"));
        },
        "view.extra",
        "public.v2",
    );
    assert_eq!(f.kind, ObjectKind::View);
    let f = actual_changed(
        |s| {
            let v = public(s).views.get_mut("open_orders").expect("fixture");
            v.definition = v.definition.replace("'open'", "'new'");
        },
        "view.definition",
        "public.open_orders",
    );
    // The full multi-line text on both sides, for a line diff.
    assert_eq!(
        f.expected.as_deref(),
        Some(" SELECT id,\n    total\n   FROM public.orders\n  WHERE (status = 'open');")
    );
    assert_eq!(f.message, "definition of view public.open_orders differs");
    let f = actual_changed(
        |s| {
            public(s)
                .views
                .get_mut("open_orders")
                .expect("fixture")
                .materialized = true;
        },
        "view.definition",
        "public.open_orders",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("view"), Some("materialized view"))
    );
    actual_changed(
        |s| {
            let v = public(s).views.get_mut("open_orders").expect("fixture");
            v.reloptions = vec!["security_barrier=true".to_string()];
        },
        "view.definition",
        "public.open_orders",
    );
}

#[test]
fn sequence_missing_extra_property() {
    actual_changed(
        |s| {
            public(s).sequences.clear();
        },
        "sequence.missing",
        "public.invoice_seq",
    );
    actual_changed(
        |s| {
            public(s)
                .sequences
                .insert("other_seq".to_string(), sequence());
        },
        "sequence.extra",
        "public.other_seq",
    );
    let f = actual_changed(
        |s| {
            public(s)
                .sequences
                .get_mut("invoice_seq")
                .expect("fixture")
                .increment = 10
        },
        "sequence.property",
        "public.invoice_seq",
    );
    assert_eq!(
        f.message,
        "increment of sequence public.invoice_seq differs"
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (Some("1"), Some("10"))
    );
    let mut actual = app();
    let seq = public(&mut actual)
        .sequences
        .get_mut("invoice_seq")
        .expect("fixture");
    seq.cycle = true;
    seq.owned_by = Some("public.orders.id".to_string());
    seq.data_type = "integer".to_string();
    let findings = diff(&app(), &actual).findings;
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(
        messages,
        vec![
            "type of sequence public.invoice_seq differs",
            "cycle of sequence public.invoice_seq differs",
            "owning column of sequence public.invoice_seq differs",
        ]
    );
    assert!(findings.iter().all(|f| f.rule == "sequence.property"));
}

#[test]
fn function_missing_extra() {
    let f = actual_changed(
        |s| {
            public(s).functions.remove("add_item(integer, text)");
        },
        "function.missing",
        "public.add_item(integer, text)",
    );
    assert_eq!(f.kind, ObjectKind::Function);
    let shown = f.expected.expect("definition");
    assert!(
        shown.starts_with("(order_id integer, sku text) RETURNS integer\n"),
        "{shown}"
    );
    assert!(shown.contains("RETURN 1;"), "{shown}");
    let f = actual_changed(
        |s| {
            let mut p = function(FunctionKind::Procedure, "COMMIT;");
            p.returns = String::new();
            public(s).functions.insert("flush()".to_string(), p);
        },
        "function.extra",
        "public.flush()",
    );
    assert_eq!(f.kind, ObjectKind::Procedure);
    assert_eq!(f.message, "procedure public.flush() is extra");
}

#[test]
fn function_definition_one_finding_per_field() {
    let cases: Vec<Case<Function>> = vec![
        (
            |f| f.body = "\nBEGIN\n  RETURN 2;\nEND;\n".to_string(),
            "body",
        ),
        (|f| f.volatility = "stable".to_string(), "volatility"),
        (|f| f.language = "sql".to_string(), "language"),
        (|f| f.returns = "bigint".to_string(), "return type"),
        (
            |f| f.arguments = "o integer, s text".to_string(),
            "argument list",
        ),
        (|f| f.strict = true, "strictness"),
        (|f| f.security_definer = true, "security"),
        (|f| f.leakproof = true, "leakproof"),
        (|f| f.parallel = "safe".to_string(), "parallel safety"),
        (|f| f.cost = 1.0, "cost"),
        (|f| f.rows = Some(10.0), "rows"),
        (
            |f| f.config = vec!["search_path=public".to_string()],
            "configuration",
        ),
        (|f| f.kind = FunctionKind::Window, "kind"),
    ];
    for (change, field) in cases {
        let f = actual_changed(
            |s| change(add_item(s)),
            "function.definition",
            "public.add_item(integer, text)",
        );
        assert_eq!(
            f.message,
            format!("{field} of function public.add_item(integer, text) differs")
        );
    }
    let f = actual_changed(
        |s| add_item(s).body = "\nBEGIN\n  RETURN 2;\nEND;\n".to_string(),
        "function.definition",
        "public.add_item(integer, text)",
    );
    assert_eq!(f.expected.as_deref(), Some("\nBEGIN\n  RETURN 1;\nEND;\n"));
    assert_eq!(f.actual.as_deref(), Some("\nBEGIN\n  RETURN 2;\nEND;\n"));
}

#[test]
fn type_missing_extra_definition() {
    let f = actual_changed(
        |s| {
            public(s).types.remove("order_status");
        },
        "type.missing",
        "public.order_status",
    );
    assert_eq!(f.kind, ObjectKind::Type);
    assert_eq!(
        f.expected.as_deref(),
        Some("AS ENUM (\n    'open',\n    'paid',\n    'shipped'\n)")
    );
    actual_changed(
        |s| {
            public(s)
                .types
                .insert("mood".to_string(), user_type(labels(&["sad", "ok"])));
        },
        "type.extra",
        "public.mood",
    );
    let f = actual_changed(
        |s| {
            public(s)
                .types
                .get_mut("order_status")
                .expect("fixture")
                .definition = labels(&["open", "shipped", "paid"]);
        },
        "type.definition",
        "public.order_status",
    );
    assert_eq!(f.message, "type public.order_status differs in labels");
    let f = actual_changed(
        |s| {
            let t = public(s).types.get_mut("positive_int").expect("fixture");
            if let TypeDefinition::Domain {
                not_null,
                constraints,
                ..
            } = &mut t.definition
            {
                *not_null = true;
                constraints.clear();
            }
        },
        "type.definition",
        "public.positive_int",
    );
    assert_eq!(
        f.message,
        "type public.positive_int differs in NOT NULL, constraints"
    );
    let f = actual_changed(
        |s| {
            public(s)
                .types
                .get_mut("positive_int")
                .expect("fixture")
                .definition = TypeDefinition::Composite {
                attributes: vec![("value".to_string(), "integer".to_string())],
            };
        },
        "type.definition",
        "public.positive_int",
    );
    assert_eq!(
        f.message,
        "type public.positive_int differs in kind (domain in expected, composite in actual)"
    );
}

// Grants, owners, comments.

#[test]
fn grant_missing_and_extra_on_a_table() {
    let f = actual_changed(
        |s| orders_of(s).grants.retain(|g| g.privilege != "INSERT"),
        "grant.missing",
        "public.orders",
    );
    assert_eq!(f.kind, ObjectKind::Table);
    assert_eq!(
        (f.expected.as_deref(), f.actual),
        (Some("INSERT to app_user"), None)
    );
    assert_eq!(
        f.message,
        "INSERT to app_user on table public.orders is missing"
    );
    let f = actual_changed(
        |s| orders_of(s).grants.push(grant("app_user", "DELETE")),
        "grant.extra",
        "public.orders",
    );
    assert_eq!(
        (f.expected, f.actual.as_deref()),
        (None, Some("DELETE to app_user"))
    );
}

#[test]
fn grant_findings_one_per_grantee_and_privilege() {
    let mut actual = app();
    orders_of(&mut actual).grants = vec![grant("app_user", "SELECT"), grant("bob", "SELECT")];
    let findings = diff(&app(), &actual).findings;
    let got: Vec<(&str, Option<&str>, Option<&str>)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.expected.as_deref(), f.actual.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("grant.missing", Some("INSERT to app_user"), None),
            ("grant.extra", None, Some("SELECT to bob")),
        ]
    );
}

#[test]
fn grant_option_differences() {
    let f = actual_changed(
        |s| {
            for g in &mut orders_of(s).grants {
                g.grantable = true;
            }
            orders_of(s).grants.retain(|g| g.privilege == "SELECT");
            orders_of(s).grants.push(grant("app_user", "INSERT"));
        },
        "grant.extra",
        "public.orders",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual.as_deref()),
        (
            Some("SELECT to app_user"),
            Some("SELECT to app_user WITH GRANT OPTION")
        )
    );
    // The same privilege from two grantors, one with the grant option, is held with it.
    let mut expected = app();
    let mut with_option = grant("app_user", "SELECT");
    with_option.grantable = true;
    orders_of(&mut expected).grants.push(with_option.clone());
    let mut actual = app();
    orders_of(&mut actual).grants = vec![grant("app_user", "INSERT"), with_option];
    assert_eq!(diff(&expected, &actual).findings, Vec::new());
}

#[test]
fn grants_on_every_kind_that_has_them() {
    let cases: Vec<ObjectCase> = vec![
        (|s| public(s).grants.clear(), "public", ObjectKind::Schema),
        (
            |s| orders_column(s, "total").grants.clear(),
            "public.orders.total",
            ObjectKind::Column,
        ),
        (
            |s| {
                public(s)
                    .views
                    .get_mut("open_orders")
                    .expect("fixture")
                    .grants
                    .clear()
            },
            "public.open_orders",
            ObjectKind::View,
        ),
        (
            |s| {
                public(s)
                    .sequences
                    .get_mut("invoice_seq")
                    .expect("fixture")
                    .grants
                    .clear()
            },
            "public.invoice_seq",
            ObjectKind::Sequence,
        ),
        (
            |s| add_item(s).grants.clear(),
            "public.add_item(integer, text)",
            ObjectKind::Function,
        ),
        (
            |s| {
                public(s)
                    .types
                    .get_mut("order_status")
                    .expect("fixture")
                    .grants
                    .clear()
            },
            "public.order_status",
            ObjectKind::Type,
        ),
    ];
    for (change, object, kind) in cases {
        let f = actual_changed(change, "grant.missing", object);
        // A column's findings belong to its table; the others are top-level objects.
        let group = if kind == ObjectKind::Column {
            "public.orders"
        } else {
            object
        };
        assert_eq!((f.kind, f.group.as_str()), (kind, group), "{object}");
    }
}

#[test]
fn owner_mismatch_on_every_kind_that_has_one() {
    let cases: Vec<ObjectCase> = vec![
        (
            |s| public(s).owner = "x".to_string(),
            "public",
            ObjectKind::Schema,
        ),
        (
            |s| orders_of(s).owner = "x".to_string(),
            "public.orders",
            ObjectKind::Table,
        ),
        (
            |s| {
                public(s)
                    .views
                    .get_mut("daily_totals")
                    .expect("fixture")
                    .owner = "x".to_string()
            },
            "public.daily_totals",
            ObjectKind::MaterializedView,
        ),
        (
            |s| {
                public(s)
                    .sequences
                    .get_mut("invoice_seq")
                    .expect("fixture")
                    .owner = "x".to_string()
            },
            "public.invoice_seq",
            ObjectKind::Sequence,
        ),
        (
            |s| add_item(s).owner = "x".to_string(),
            "public.add_item(integer, text)",
            ObjectKind::Function,
        ),
        (
            |s| {
                public(s)
                    .types
                    .get_mut("order_status")
                    .expect("fixture")
                    .owner = "x".to_string()
            },
            "public.order_status",
            ObjectKind::Type,
        ),
    ];
    for (change, object, kind) in cases {
        let f = actual_changed(change, "owner.mismatch", object);
        assert_eq!(f.kind, kind, "{object}");
        assert_eq!(f.actual.as_deref(), Some("x"));
    }
    let f = actual_changed(
        |s| orders_of(s).owner = "x".to_string(),
        "owner.mismatch",
        "public.orders",
    );
    assert_eq!(
        f.message,
        "table public.orders is owned by app_owner in expected, x in actual"
    );
}

#[test]
fn comment_mismatch_on_every_kind_that_has_one() {
    fn set(comment: &mut Option<String>) {
        *comment = Some("changed".to_string());
    }
    let cases: Vec<ObjectCase> = vec![
        (
            |s| set(&mut public(s).comment),
            "public",
            ObjectKind::Schema,
        ),
        (
            |s| set(&mut s.extensions.get_mut("pgcrypto").expect("fixture").comment),
            "pgcrypto",
            ObjectKind::Extension,
        ),
        (
            |s| set(&mut orders_of(s).comment),
            "public.orders",
            ObjectKind::Table,
        ),
        (
            |s| set(&mut orders_column(s, "status").comment),
            "public.orders.status",
            ObjectKind::Column,
        ),
        (
            |s| {
                let c = orders_of(s)
                    .constraints
                    .get_mut("orders_pkey")
                    .expect("fixture");
                set(&mut c.comment);
            },
            "public.orders.orders_pkey",
            ObjectKind::Constraint,
        ),
        (
            |s| {
                let i = orders_of(s)
                    .indexes
                    .get_mut("orders_customer_idx")
                    .expect("fixture");
                set(&mut i.comment);
            },
            "public.orders_customer_idx",
            ObjectKind::Index,
        ),
        (
            |s| {
                let t = orders_of(s)
                    .triggers
                    .get_mut("orders_touch")
                    .expect("fixture");
                set(&mut t.comment);
            },
            "public.orders.orders_touch",
            ObjectKind::Trigger,
        ),
        (
            |s| {
                let p = orders_of(s)
                    .policies
                    .get_mut("tenant_isolation")
                    .expect("fixture");
                set(&mut p.comment);
            },
            "public.orders.tenant_isolation",
            ObjectKind::Policy,
        ),
        (
            |s| {
                set(&mut public(s)
                    .views
                    .get_mut("open_orders")
                    .expect("fixture")
                    .comment)
            },
            "public.open_orders",
            ObjectKind::View,
        ),
        (
            |s| {
                set(&mut public(s)
                    .sequences
                    .get_mut("invoice_seq")
                    .expect("fixture")
                    .comment)
            },
            "public.invoice_seq",
            ObjectKind::Sequence,
        ),
        (
            |s| set(&mut add_item(s).comment),
            "public.add_item(integer, text)",
            ObjectKind::Function,
        ),
        (
            |s| {
                set(&mut public(s)
                    .types
                    .get_mut("order_status")
                    .expect("fixture")
                    .comment)
            },
            "public.order_status",
            ObjectKind::Type,
        ),
    ];
    for (change, object, kind) in cases {
        let f = actual_changed(change, "comment.mismatch", object);
        assert_eq!(f.kind, kind, "{object}");
        assert_eq!(f.actual.as_deref(), Some("changed"));
    }
    let f = actual_changed(
        |s| orders_column(s, "status").comment = None,
        "comment.mismatch",
        "public.orders.status",
    );
    assert_eq!(
        (f.expected.as_deref(), f.actual),
        (Some("Where the order is"), None)
    );
    assert_eq!(f.message, "comment on column public.orders.status differs");
}

// Names and order.

#[test]
fn odd_names_are_quoted_like_postgres() {
    let mut expected = Schema::default();
    let mut sales = Namespace {
        owner: "o".to_string(),
        ..Namespace::default()
    };
    let mut items = customers();
    items
        .columns
        .insert("Unit Price".to_string(), column(3, "numeric"));
    sales.tables.insert("Order Items".to_string(), items);
    sales.tables.insert("user".to_string(), customers());
    expected.schemas.insert("Sales".to_string(), sales);

    let mut actual = expected.clone();
    let actual_sales = actual.schemas.get_mut("Sales").expect("built above");
    let items = actual_sales
        .tables
        .get_mut("Order Items")
        .expect("built above");
    items
        .columns
        .get_mut("Unit Price")
        .expect("built above")
        .data_type = "money".to_string();
    actual_sales.tables.remove("user");

    let findings = diff(&expected, &actual).findings;
    let got: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| (f.rule.as_str(), f.object.as_str(), f.group.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "column.type",
                "\"Sales\".\"Order Items\".\"Unit Price\"",
                "\"Sales\".\"Order Items\""
            ),
            ("table.missing", "\"Sales\".\"user\"", "\"Sales\".\"user\""),
        ]
    );
}

#[test]
fn findings_come_in_walk_order_and_are_deterministic() {
    let mut actual = app();
    orders_column(&mut actual, "total").data_type = "integer".to_string();
    public(&mut actual).owner = "x".to_string();
    actual.schemas.remove("billing");
    actual.extensions.clear();
    let first = diff(&app(), &actual);
    let objects: Vec<&str> = first.findings.iter().map(|f| f.object.as_str()).collect();
    assert_eq!(
        objects,
        vec!["billing", "public", "public.orders.total", "pgcrypto"]
    );
    assert_eq!(first, diff(&app(), &actual));
}

#[test]
fn missing_and_extra_are_mirror_images() {
    let mut smaller = app();
    orders_of(&mut smaller).columns.remove("status");
    let missing = only(&app(), &smaller);
    let extra = only(&smaller, &app());
    assert_eq!(
        (missing.rule.as_str(), extra.rule.as_str()),
        ("column.missing", "column.extra")
    );
    assert_eq!(missing.object, extra.object);
    assert_eq!(missing.expected, extra.actual);
    assert_eq!(extra.message, "column public.orders.status is extra");
}

#[test]
fn large_equal_schemas_compare_without_findings() {
    let mut schema = Schema::default();
    let mut ns = Namespace::default();
    for t in 0..2_000 {
        let mut table = Table::default();
        for c in 0..15 {
            table
                .columns
                .insert(format!("column_{c}"), column(c + 1, "integer"));
        }
        ns.tables.insert(format!("table_{t}"), table);
    }
    schema.schemas.insert("public".to_string(), ns);
    let mut actual = schema.clone();
    let last = actual
        .schemas
        .get_mut("public")
        .and_then(|ns| ns.tables.get_mut("table_1999"))
        .expect("built above");
    last.columns.remove("column_14");
    let comparison = diff(&schema, &actual);
    assert_eq!(comparison.compared.len(), 2_001);
    assert_eq!(comparison.findings.len(), 1);
    assert_eq!(comparison.findings[0].object, "public.table_1999.column_14");
}

#[test]
fn every_kind_compared_by_its_statement_has_its_three_rules() {
    for &kind in crate::model::ObjectKind::ALL {
        if kind.is_defined() {
            assert!(
                super::compare::defined_rules(kind).is_some(),
                "{kind:?}: add {0}.missing, {0}.extra and {0}.definition to rules.rs",
                kind.as_str()
            );
        }
    }
}
