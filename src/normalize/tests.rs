use super::*;

fn canon(e: &str) -> String {
    canonical_default(e, Some("public"), true)
}

#[test]
fn whitespace_and_comments_in_bodies() {
    let a = "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND";
    let b = "BEGIN\n    -- keep it fresh\n    NEW.updated_at := now(); /* always */\n    RETURN NEW;\nEND\n";
    assert!(bodies_equivalent(a, b, true, true));
    assert!(
        !bodies_equivalent(a, b, true, false),
        "comments count when that rule is off"
    );
    assert!(!bodies_equivalent(a, b, false, false));
    let reindented = "BEGIN NEW.updated_at := now(); RETURN NEW; END";
    assert!(bodies_equivalent(a, reindented, true, false));
    assert!(
        !bodies_equivalent(a, reindented, false, true),
        "whitespace counts when off"
    );
}

#[test]
fn never_looks_inside_literals() {
    assert!(!bodies_equivalent(
        "SELECT 'a  b'",
        "SELECT 'a b'",
        true,
        true
    ));
    assert!(!bodies_equivalent(
        "SELECT E'a\\'  b'",
        "SELECT E'a\\' b'",
        true,
        true
    ));
    assert!(!bodies_equivalent(
        r#"SELECT "a  b""#,
        r#"SELECT "a b""#,
        true,
        true
    ));
    assert!(!bodies_equivalent(
        "SELECT $x$a  b$x$",
        "SELECT $x$a b$x$",
        true,
        true
    ));
    assert!(!bodies_equivalent(
        "SELECT '-- not a comment'",
        "SELECT ''",
        true,
        true
    ));
    assert!(!bodies_equivalent(
        "a /* x /* nested */ y */ b",
        "a y */ b",
        true,
        true
    ));
    assert!(bodies_equivalent(
        "a /* x /* nested */ y */ b",
        "a b",
        true,
        true
    ));
    assert!(!bodies_equivalent("a<>b", "a < > b", true, true));
}

#[test]
fn time_family_is_one() {
    assert_eq!(canon("now()"), "now()");
    assert_eq!(canon("CURRENT_TIMESTAMP"), "now()");
    assert_eq!(canon("transaction_timestamp()"), "now()");
    assert_eq!(canon("pg_catalog.now()"), "now()");
    // Look-alikes that behave differently.
    assert_ne!(canon("CURRENT_TIMESTAMP(3)"), "now()");
    assert_ne!(canon("statement_timestamp()"), "now()");
    assert_ne!(canon("clock_timestamp()"), "now()");
    assert_ne!(canon("LOCALTIMESTAMP"), "now()");
}

#[test]
fn redundant_literal_casts() {
    assert_eq!(canon("'a'::text"), canon("'a'"));
    assert_eq!(canon("'a'::character varying"), canon("'a'::text"));
    assert_eq!(canon("'a'::varchar"), canon("'a'"));
    assert_eq!(canon("'q'::bpchar"), canon("'q'"));
    // A length truncates; another type converts; a non-literal is not touched.
    assert_ne!(canon("'abc'::character varying(2)"), canon("'abc'"));
    assert_ne!(canon("'1'::integer"), canon("'1'"));
    assert_ne!(canon("x::text"), canon("x"));
    assert_ne!(canon("'a'::text[]"), canon("'a'"));
}

#[test]
fn parenthesised_numbers() {
    assert_eq!(canon("(0)"), canon("0"));
    assert_eq!(canon("(-1)"), canon("-1"));
    assert_eq!(canon("(0)::numeric"), canon("0::numeric"));
    // A function call keeps its parentheses.
    assert_ne!(canon("f(0)"), canon("f 0"));
    assert_ne!(canon("(1 + 2)"), canon("1 + 2"));
}

#[test]
fn nextval_qualification() {
    assert_eq!(
        canon("nextval('orders_id_seq'::regclass)"),
        canon("nextval('public.orders_id_seq'::regclass)")
    );
    assert_ne!(
        canon("nextval('other.orders_id_seq'::regclass)"),
        canon("nextval('public.orders_id_seq'::regclass)")
    );
    assert_eq!(
        canonical_default("nextval('s'::regclass)", Some("Billing"), true),
        canonical_default("nextval('\"Billing\".s'::regclass)", Some("Billing"), true)
    );
}

#[test]
fn builtin_off_compares_tokens_only() {
    assert_ne!(
        canonical_default("now()", None, false),
        canonical_default("CURRENT_TIMESTAMP", None, false)
    );
}

fn schema_with_default(default: &str, body: &str) -> Schema {
    use crate::model::*;
    let mut table = Table {
        owner: "app".into(),
        ..Table::default()
    };
    table.columns.insert(
        "created_at".into(),
        Box::new(Column {
            position: 1,
            data_type: "timestamp with time zone".into(),
            not_null: false,
            default: Some(default.into()),
            identity: None,
            generated: None,
            collation: None,
            comment: None,
            grants: vec![],
            ..Default::default()
        }),
    );
    table.triggers.insert(
        "t".into(),
        Trigger {
            definition: body.into(),
            enabled: "O".into(),
            comment: None,
        },
    );
    let mut ns = Namespace {
        owner: "app".into(),
        ..Namespace::default()
    };
    ns.tables.insert("orders".into(), table);
    let mut schema = Schema::default();
    schema.schemas.insert("public".into(), ns);
    schema
}

#[test]
fn normalize_equates_and_keeps_real_differences() {
    let expected = schema_with_default("now()", "CREATE TRIGGER t BEFORE UPDATE ON public.orders");
    let actual = schema_with_default(
        "CURRENT_TIMESTAMP",
        "CREATE  TRIGGER t\nBEFORE UPDATE ON public.orders",
    );
    let on = normalize(&expected, actual.clone(), &Equivalences::default());
    assert_eq!(on, expected);

    let off = Equivalences {
        whitespace: false,
        comments: false,
        default_equivalence: false,
        ..Equivalences::default()
    };
    assert_eq!(normalize(&expected, actual.clone(), &off), actual);

    let different = schema_with_default(
        "clock_timestamp()",
        "CREATE TRIGGER t AFTER UPDATE ON public.orders",
    );
    assert_eq!(
        normalize(&expected, different.clone(), &Equivalences::default()),
        different
    );
}

#[test]
fn user_default_sets() {
    let expected = schema_with_default("gen_random_uuid()", "x");
    let actual = schema_with_default("public.uuid_generate_v4()", "x");
    let eq = Equivalences {
        default_sets: vec![vec![
            "gen_random_uuid()".into(),
            "public.uuid_generate_v4()".into(),
        ]],
        ..Equivalences::default()
    };
    assert_eq!(normalize(&expected, actual.clone(), &eq), expected);
    assert_eq!(
        normalize(&expected, actual.clone(), &Equivalences::default()),
        actual
    );
}

#[test]
fn renames_roles_and_schemas() {
    let mut expected =
        schema_with_default("nextval('tenant_template.orders_id_seq'::regclass)", "x");
    if let Some(ns) = expected.schemas.get_mut("public") {
        ns.owner = "app_stage".into();
    }
    let ns = expected.schemas.remove("public").expect("ns");
    expected.schemas.insert("tenant_template".into(), ns);

    let mut actual = schema_with_default("nextval('tenant_042.orders_id_seq'::regclass)", "x");
    if let Some(ns) = actual.schemas.get_mut("public") {
        ns.owner = "app_prod".into();
    }
    let ns = actual.schemas.remove("public").expect("ns");
    actual.schemas.insert("tenant_042".into(), ns);

    // Edges name schemas as bare names, and functions by argument types that are qualified.
    let edges = |schema: &str| {
        use crate::model::{Dependency, ObjectKind, ObjectPath};
        let column = ObjectPath::child(ObjectKind::Column, schema, "orders", "created_at");
        let function = format!("total({schema}.orders)");
        let mut edges = vec![
            Dependency {
                from: column.clone(),
                to: ObjectPath::in_schema(ObjectKind::Function, "public", "now_utc()"),
                auto: false,
            },
            Dependency {
                from: ObjectPath::in_schema(ObjectKind::Function, schema, &function),
                to: ObjectPath::in_schema(ObjectKind::Table, schema, "orders"),
                auto: false,
            },
            Dependency {
                from: column,
                to: ObjectPath::top(ObjectKind::Extension, "citext"),
                auto: false,
            },
        ];
        edges.sort();
        edges
    };
    expected.dependencies = edges("tenant_template");
    actual.dependencies = edges("tenant_042");

    let eq = Equivalences {
        roles: [("app_prod".to_string(), "app_stage".to_string())].into(),
        schemas: [("tenant_042".to_string(), "tenant_template".to_string())].into(),
        ..Equivalences::default()
    };
    assert_eq!(normalize(&expected, actual, &eq), expected);
}

#[test]
fn a_schema_rename_leaves_comments_and_enum_labels_alone() {
    let with = |schema: &str, comment: &str, label: &str| {
        let mut s = schema_with_default("0", "x");
        let mut ns = s.schemas.remove("public").expect("ns");
        ns.comment = Some(comment.to_string());
        ns.types.insert(
            "status".into(),
            crate::model::Type {
                owner: "app".into(),
                comment: None,
                grants: Vec::new(),
                constraint_comments: Default::default(),
                definition: TypeDefinition::Enum {
                    labels: vec![label.to_string(), "active".into()],
                },
            },
        );
        let table = ns.tables.values_mut().next().expect("a table");
        table.comment = Some(format!("{comment} (table)"));
        s.schemas.insert(schema.to_string(), ns);
        s
    };
    let eq = Equivalences {
        schemas: [("tenant_042".to_string(), "tenant_template".to_string())].into(),
        ..Equivalences::default()
    };
    // The same prose on both sides: equal after the rename, as before it.
    let expected = with(
        "tenant_template",
        "copied from tenant_042.orders by hand",
        "tenant_042.legacy",
    );
    let actual = with(
        "tenant_042",
        "copied from tenant_042.orders by hand",
        "tenant_042.legacy",
    );
    assert_eq!(normalize(&expected, actual, &eq), expected);
    // Prose that really differs keeps differing: a rename must not make it equal ...
    let expected = with(
        "tenant_template",
        "copied from tenant_template.orders",
        "tenant_template.legacy",
    );
    let actual = with(
        "tenant_042",
        "copied from tenant_042.orders",
        "tenant_042.legacy",
    );
    let renamed = normalize(&expected, actual, &eq);
    let ns = &renamed.schemas["tenant_template"];
    assert_eq!(ns.comment.as_deref(), Some("copied from tenant_042.orders"));
    let TypeDefinition::Enum { labels } = &ns.types["status"].definition else {
        panic!("an enum");
    };
    assert_eq!(labels[0], "tenant_042.legacy");
    // ... and the diff reports both.
    let rules: Vec<String> = crate::diff::diff(&expected, &renamed)
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule, f.object))
        .collect();
    assert!(
        rules.contains(&"type.definition tenant_template.status".to_string()),
        "{rules:?}"
    );
    assert!(
        rules.contains(&"comment.mismatch tenant_template".to_string()),
        "{rules:?}"
    );
}

#[test]
fn edits_name_the_slot_and_the_expected_text() {
    let expected = schema_with_default("CURRENT_TIMESTAMP", "BEGIN RETURN 1; END");
    let actual = schema_with_default("now()", "BEGIN\n  RETURN 1;\nEND");
    let edits = edits(&expected, &actual, &Equivalences::default());
    let slots: Vec<(Slot<'_>, &str)> = edits.iter().map(|e| (e.slot, e.value)).collect();
    assert_eq!(slots.len(), 2, "{edits:?}");
    assert!(
        slots
            .iter()
            .any(|(s, v)| matches!(s, Slot::ColumnDefault { .. }) && *v == "CURRENT_TIMESTAMP")
    );
    assert!(
        slots
            .iter()
            .any(|(s, _)| matches!(s, Slot::TableTrigger { .. }))
    );
    // No equivalence on: no edit.
    let off = Equivalences {
        whitespace: false,
        comments: false,
        default_equivalence: false,
        ..Equivalences::default()
    };
    assert!(super::edits(&expected, &actual, &off).is_empty());
}

#[test]
fn schema_rename_touches_only_qualifiers() {
    let map: BTreeMap<String, String> = [("t42".to_string(), "tpl".to_string())].into();
    assert_eq!(
        rename_schemas_in(
            "SELECT t42.a.t42 FROM t42.x WHERE y = 't42.z' AND c = t42",
            &map
        ),
        "SELECT tpl.a.t42 FROM tpl.x WHERE y = 'tpl.z' AND c = t42"
    );
}

#[test]
fn single_relation_view_qualifiers_across_versions() {
    let pg15 = " SELECT accounts.id,\n    accounts.email\n   FROM public.accounts\n  WHERE accounts.balance > 1000::numeric;";
    let pg18 = " SELECT id,\n    email\n   FROM public.accounts\n  WHERE balance > 1000::numeric;";
    assert!(view_qualifiers_equivalent(pg15, pg18));
    assert!(view_qualifiers_equivalent(pg18, pg15));
    // Another relation, another column: not the same view.
    assert!(!view_qualifiers_equivalent(
        " SELECT other.id FROM public.other;",
        " SELECT id FROM public.accounts;"
    ));
    assert!(!view_qualifiers_equivalent(
        " SELECT accounts.id FROM public.accounts;",
        " SELECT email FROM public.accounts;"
    ));
    // A join keeps its qualifiers: which side a column comes from matters.
    assert!(!view_qualifiers_equivalent(
        " SELECT a.id, b.id AS bid FROM a JOIN b ON a.id = b.id;",
        " SELECT id, id AS bid FROM a JOIN b ON id = id;"
    ));
}

/// View definitions as PostgreSQL 15.18 and 18.4 print them (`pg_get_viewdef` of the same 15
/// views on both): every pair is the same view, and the rule changes the 15 text into the 18
/// text exactly (pairs equal on both versions need no rule). Crossing the pairs, or dropping a
/// qualifier 16 keeps (in a subquery, a CTE body, a UNION branch, a join), is a difference.
#[test]
fn view_qualifiers_follow_postgresql_16_exactly() {
    let pairs: &[(&str, &str)] = &[
        (
            " SELECT t.a,\n    t.b\n   FROM t;",
            " SELECT a,\n    b\n   FROM t;",
        ),
        (
            " SELECT t.a,\n    ( SELECT max(u.b) AS max\n           FROM u\n          WHERE (u.a = t.a)) AS m\n   FROM t;",
            " SELECT a,\n    ( SELECT max(u.b) AS max\n           FROM u\n          WHERE (u.a = t.a)) AS m\n   FROM t;",
        ),
        (
            " WITH c AS (\n         SELECT t.a\n           FROM t\n        )\n SELECT c.a\n   FROM c;",
            " WITH c AS (\n         SELECT t.a\n           FROM t\n        )\n SELECT a\n   FROM c;",
        ),
        (
            " SELECT t.a\n   FROM t\n  WHERE (EXISTS ( SELECT 1\n           FROM u\n          WHERE (u.b > 0)));",
            " SELECT a\n   FROM t\n  WHERE (EXISTS ( SELECT 1\n           FROM u\n          WHERE (u.b > 0)));",
        ),
        (
            " SELECT s.a\n   FROM ( SELECT t.a\n           FROM t) s;",
            " SELECT a\n   FROM ( SELECT t.a\n           FROM t) s;",
        ),
        (
            " SELECT t.a\n   FROM t,\n    u\n  WHERE (t.a = u.a);",
            " SELECT t.a\n   FROM t,\n    u\n  WHERE (t.a = u.a);",
        ),
        (
            " SELECT t.a\n   FROM t\nUNION\n SELECT u.a\n   FROM u;",
            " SELECT t.a\n   FROM t\nUNION\n SELECT u.a\n   FROM u;",
        ),
        (" SELECT x.a\n   FROM t x;", " SELECT a\n   FROM t x;"),
        (
            " SELECT t.a,\n    count(*) AS count\n   FROM t\n  GROUP BY t.a\n  ORDER BY t.a;",
            " SELECT a,\n    count(*) AS count\n   FROM t\n  GROUP BY a\n  ORDER BY a;",
        ),
        (
            " SELECT t.a\n   FROM t\n  WHERE (t.a IN ( SELECT u.b\n           FROM u));",
            " SELECT a\n   FROM t\n  WHERE (a IN ( SELECT u.b\n           FROM u));",
        ),
        (
            " SELECT ( SELECT count(*) AS count\n           FROM u) AS n;",
            " SELECT ( SELECT count(*) AS count\n           FROM u) AS n;",
        ),
        (
            " SELECT s.a\n   FROM t s,\n    LATERAL ( SELECT u.b\n           FROM u\n          WHERE (u.a = s.a)) l;",
            " SELECT s.a\n   FROM t s,\n    LATERAL ( SELECT u.b\n           FROM u\n          WHERE (u.a = s.a)) l;",
        ),
        (
            " SELECT t.a,\n    sum(t.b) OVER (PARTITION BY t.a) AS sum\n   FROM t;",
            " SELECT a,\n    sum(b) OVER (PARTITION BY a) AS sum\n   FROM t;",
        ),
        (
            " SELECT g.g\n   FROM generate_series(1, 3) g(g);",
            " SELECT g\n   FROM generate_series(1, 3) g(g);",
        ),
        (" SELECT t.a\n   FROM ONLY t;", " SELECT a\n   FROM ONLY t;"),
    ];
    for (pg15, pg18) in pairs {
        assert!(
            pg15 == pg18 || view_qualifiers_equivalent(pg15, pg18),
            "15: {pg15}\n18: {pg18}"
        );
        assert!(pg15 == pg18 || view_qualifiers_equivalent(pg18, pg15));
    }
    for (i, (a, _)) in pairs.iter().enumerate() {
        for (j, (_, b)) in pairs.iter().enumerate() {
            if i != j {
                assert!(!view_qualifiers_equivalent(a, b), "{a}\n{b}");
            }
        }
    }
    for (qualified, overstripped) in [
        // The subquery sees the outer level: its qualifiers stay.
        (
            " SELECT t.a, ( SELECT max(u.b) FROM u WHERE (u.a = t.a)) AS m FROM t;",
            " SELECT a, ( SELECT max(b) FROM u WHERE (a = t.a)) AS m FROM t;",
        ),
        // A CTE body keeps them.
        (
            " WITH c AS ( SELECT t.a FROM t ) SELECT c.a FROM c;",
            " WITH c AS ( SELECT a FROM t ) SELECT a FROM c;",
        ),
        // UNION branches keep them.
        (
            " SELECT t.a FROM t UNION SELECT u.a FROM u;",
            " SELECT a FROM t UNION SELECT a FROM u;",
        ),
        // Two FROM items, or a join: which relation a column comes from matters.
        (
            " SELECT t.a FROM t, u WHERE (t.a = u.a);",
            " SELECT a FROM t, u WHERE (a = u.a);",
        ),
        (
            " SELECT a.id, b.id AS bid FROM a JOIN b ON a.id = b.id;",
            " SELECT id, id AS bid FROM a JOIN b ON id = id;",
        ),
        // A qualifier that is not the FROM item's name is not a column qualifier to drop.
        (" SELECT public.f(t.a) FROM t;", " SELECT f(a) FROM t;"),
    ] {
        assert!(
            !view_qualifiers_equivalent(qualified, overstripped),
            "{qualified}\n{overstripped}"
        );
    }
    // Functions and types keep their schema while the columns lose the alias.
    assert!(view_qualifiers_equivalent(
        " SELECT public.f(t.a) AS f, (t.b)::public.d AS b FROM public.t;",
        " SELECT public.f(a) AS f, (b)::public.d AS b FROM public.t;"
    ));
}

#[test]
fn borrowed_normalize_copies_only_when_a_rule_changes_something() {
    let expected = schema_with_default("now()", "CREATE TRIGGER t BEFORE UPDATE ON public.orders");
    let default = Equivalences::default();
    // Equal, or really different: nothing to equate, nothing copied.
    for actual in [
        expected.clone(),
        schema_with_default(
            "clock_timestamp()",
            "CREATE TRIGGER t AFTER UPDATE ON public.orders",
        ),
    ] {
        assert!(matches!(
            normalize_ref(&expected, &actual, &default),
            Cow::Borrowed(_)
        ));
    }
    // A default and a trigger body that differ harmlessly, one at a time: each one is seen.
    for actual in [
        schema_with_default(
            "CURRENT_TIMESTAMP",
            "CREATE TRIGGER t BEFORE UPDATE ON public.orders",
        ),
        schema_with_default("now()", "CREATE  TRIGGER t\nBEFORE UPDATE ON public.orders"),
    ] {
        let got = normalize_ref(&expected, &actual, &default);
        assert!(matches!(got, Cow::Owned(_)));
        assert_eq!(*got, normalize(&expected, actual.clone(), &default));
        assert_eq!(*got, expected);
    }
    // A rename always goes through the copying path.
    let renames = Equivalences {
        roles: [("app".to_string(), "app_stage".to_string())].into(),
        ..Equivalences::default()
    };
    let got = normalize_ref(&expected, &expected, &renames);
    assert_eq!(*got, normalize(&expected, expected.clone(), &renames));
}
