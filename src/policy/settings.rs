//! The parts of a policy that decide what a difference means: ignore rules and equivalences,
//! renames, filters, severities, waivers and when to fail; and how long to wait on a server
//! (`[settings] read_timeout`). Read from TOML like the rest of the policy (raw, then validated
//! with locations); `Settings::default()` is the policy of a one-off `pgdrift diff`.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use toml::Spanned;

use crate::model::ObjectKind;
use crate::rules::{RULES, RuleId, Severity};

/// Everything in a policy besides its targets and checks.
#[derive(Debug, Clone)]
pub struct Settings {
    pub ignore: Ignore,
    /// User-declared sets of equivalent default expressions, by name.
    pub equivalent_defaults: BTreeMap<String, Vec<String>>,
    /// Role names, actual → expected.
    pub rename_roles: BTreeMap<String, String>,
    /// Schema names, actual → expected.
    pub rename_schemas: BTreeMap<String, String>,
    pub filter: Filter,
    pub severities: Vec<SeverityOverride>,
    pub waivers: Vec<Waiver>,
    /// Findings at or above this severity violate the policy.
    pub fail_on: Severity,
    /// The `[plan]` table: what `pgdrift plan` and `apply` may do.
    pub plan: PlanSettings,
    /// `[settings] read_timeout`: how long pgdrift waits, client-side, for a server to answer
    /// once connected (reading a schema, loading a SQL file, listing databases). `None` (`"0"`):
    /// as long as it takes.
    pub read_timeout: Option<Duration>,
}

/// A little above the catalog read's own `statement_timeout` (60 s), so a slow server is
/// stopped by its own timeout (with its own message) and only one that does not answer at all
/// meets this one.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(75);

/// A `read_timeout` as written (`"75s"`, `"2min"`, `"0"` for none): `Err` says what is expected.
pub fn parse_read_timeout(text: &str) -> Result<Option<Duration>, String> {
    match crate::duration::parse(text, None) {
        Some(d) if d.is_zero() => Ok(None),
        Some(d) => Ok(Some(d)),
        None => Err(format!(
            "read_timeout `{text}` is not a duration: write a number and a unit, as PostgreSQL \
             does (\"75s\", \"2min\", \"500ms\"), or \"0\" to wait as long as it takes"
        )),
    }
}

/// `[plan]`: what plans may do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanSettings {
    /// Plan DROP TABLE, DROP COLUMN, DROP SCHEMA and narrowing type changes (as
    /// `--allow-destructive`).
    pub allow_destructive: bool,
    /// Declared renames, actual name → expected name, qualified: `public.users` = `public.people`
    /// (a table) or `public.users.user_name` = `public.users.username` (a column). Renames are
    /// never guessed; declared ones become ALTER ... RENAME instead of a drop and a create.
    pub renames: Vec<(Vec<String>, Vec<String>)>,
}

/// `[plan]` as written.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPlan {
    #[serde(default)]
    allow_destructive: bool,
    #[serde(default)]
    renames: BTreeMap<Spanned<String>, Spanned<String>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ignore: Ignore::default(),
            equivalent_defaults: BTreeMap::new(),
            rename_roles: BTreeMap::new(),
            rename_schemas: BTreeMap::new(),
            filter: Filter::default(),
            severities: Vec::new(),
            waivers: Vec::new(),
            fail_on: Severity::Error,
            plan: PlanSettings::default(),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
        }
    }
}

impl Settings {
    /// The severity of `rule`: the most specific matching `[severity]` key, else the default.
    /// An exact id beats any glob; among globs, the one with more literal characters wins; on a
    /// tie, the later key.
    pub fn severity_for(&self, rule: RuleId, default: Severity) -> Severity {
        let rule = rule.as_str();
        self.severities
            .iter()
            .filter(|s| s.pattern.matches(rule))
            .max_by_key(|s| {
                (
                    s.pattern.text == rule,
                    s.pattern.literal_len(),
                    s.pattern.line,
                )
            })
            .map_or(default, |s| s.severity)
    }

    /// Whether an ignore rule drops every finding of `rule` outright.
    pub fn ignores_rule(&self, rule: RuleId) -> bool {
        let i = &self.ignore;
        match rule {
            RuleId::ConstraintName => i.constraint_names,
            RuleId::IndexName => i.index_names,
            RuleId::ColumnOrder => i.column_order,
            RuleId::OwnerMismatch => i.owners,
            RuleId::GrantMissing | RuleId::GrantExtra => i.grants,
            RuleId::CommentMismatch => i.object_comments,
            RuleId::ExtensionVersion => i.extension_versions,
            RuleId::TableTablespace | RuleId::IndexTablespace => i.tablespaces,
            _ => false,
        }
    }
}

/// The ignore rules. Defaults are the sensible policy: harmless text and naming differences are
/// ignored, and tablespaces (environments lay out storage differently); owners, grants,
/// comments and extension versions are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Ignore {
    pub whitespace: bool,
    pub comments: bool,
    pub constraint_names: bool,
    pub index_names: bool,
    pub default_equivalence: bool,
    pub column_order: bool,
    pub owners: bool,
    pub grants: bool,
    pub object_comments: bool,
    pub extension_versions: bool,
    pub tablespaces: bool,
}

impl Default for Ignore {
    fn default() -> Self {
        Ignore {
            whitespace: true,
            comments: true,
            constraint_names: true,
            index_names: true,
            default_equivalence: true,
            column_order: true,
            owners: false,
            grants: false,
            object_comments: false,
            extension_versions: false,
            tablespaces: true,
        }
    }
}

/// The names of the ignore rules, as written in `[ignore]` and `--ignore`.
pub const IGNORE_KEYS: &[&str] = &[
    "whitespace",
    "comments",
    "constraint_names",
    "index_names",
    "default_equivalence",
    "column_order",
    "owners",
    "grants",
    "object_comments",
    "extension_versions",
    "tablespaces",
];

impl Ignore {
    /// Switch one rule by name; `false` when there is no such rule.
    pub fn set(&mut self, key: &str, on: bool) -> bool {
        let field = match key {
            "whitespace" => &mut self.whitespace,
            "comments" => &mut self.comments,
            "constraint_names" => &mut self.constraint_names,
            "index_names" => &mut self.index_names,
            "default_equivalence" => &mut self.default_equivalence,
            "column_order" => &mut self.column_order,
            "owners" => &mut self.owners,
            "grants" => &mut self.grants,
            "object_comments" => &mut self.object_comments,
            "extension_versions" => &mut self.extension_versions,
            "tablespaces" => &mut self.tablespaces,
            _ => return false,
        };
        *field = on;
        true
    }
}

/// A glob over qualified object names or rule ids, with where it was written.
#[derive(Clone)]
pub struct Pattern {
    pub text: String,
    matcher: GlobMatcher,
    /// Line in the policy file (0 when not from a file).
    pub line: usize,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?} at line {})", self.text, self.line)
    }
}

impl Pattern {
    pub fn new(text: &str, line: usize) -> Result<Pattern, String> {
        let glob = Glob::new(text).map_err(|e| format!("bad pattern `{text}`: {}", e.kind()))?;
        Ok(Pattern {
            text: text.to_string(),
            matcher: glob.compile_matcher(),
            line,
        })
    }

    pub fn matches(&self, s: &str) -> bool {
        self.matcher.is_match(s)
    }

    fn literal_len(&self) -> usize {
        self.text
            .chars()
            .filter(|c| !matches!(c, '*' | '?' | '[' | ']' | '{' | '}'))
            .count()
    }
}

/// Which findings and objects count.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// When not empty, only objects matching one of these (or inside one) count.
    pub include: Vec<Pattern>,
    pub exclude: Vec<Pattern>,
    /// Object kinds (`table`, `index`, ...) or rule families (`comment`, `grant`, `owner`).
    pub exclude_kinds: Vec<String>,
}

/// The rule families `exclude_kinds` accepts besides the object kinds.
const EXCLUDABLE_FAMILIES: &[&str] = &["comment", "grant", "owner"];

/// The words `exclude_kinds` accepts: every object kind (`table`, `rule`, `publication`, ...)
/// and the families `comment`, `grant` and `owner`.
pub fn excludable_kinds() -> Vec<&'static str> {
    (ObjectKind::ALL.iter())
        .filter(|k| **k != ObjectKind::PolicyEntry)
        .map(|k| k.as_str())
        .chain(EXCLUDABLE_FAMILIES.iter().copied())
        .collect()
}

#[derive(Debug, Clone)]
pub struct SeverityOverride {
    pub pattern: Pattern,
    pub severity: Severity,
}

/// An accepted finding: a rule and an object pattern, a reason, an optional expiry date.
#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: Pattern,
    pub object: Pattern,
    pub reason: String,
    pub expires: Option<Date>,
    /// Line of the `[[waive]]` in the policy file.
    pub line: usize,
}

impl Waiver {
    /// A waiver covers findings up to and including its expiry date.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }
}

pub use crate::date::Date;

// ---- the TOML as written ----

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRename {
    #[serde(default)]
    roles: BTreeMap<String, String>,
    #[serde(default)]
    schemas: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFilter {
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    exclude_kinds: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWaiver {
    rule: Spanned<String>,
    object: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFail {
    on: Spanned<String>,
}

/// `[settings]`: how the run talks to servers.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRunSettings {
    read_timeout: Option<Spanned<String>>,
}

/// The settings tables of a policy file, as written.
#[derive(Deserialize, Default)]
pub(super) struct RawSettings {
    #[serde(default)]
    pub ignore: Option<Ignore>,
    #[serde(default)]
    pub equivalent_defaults: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub rename: RawRename,
    #[serde(default)]
    pub filter: RawFilter,
    #[serde(default)]
    pub severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    pub waive: Vec<Spanned<RawWaiver>>,
    pub fail: Option<RawFail>,
    #[serde(default)]
    pub plan: RawPlan,
    #[serde(default)]
    pub settings: RawRunSettings,
}

/// Where a problem is: a byte range in the policy text.
pub(super) type Span = std::ops::Range<usize>;

/// Validate the settings, reporting each problem through `problem(span, message)` and
/// turning byte offsets into lines with `line_of`.
pub(super) fn validate(
    raw: RawSettings,
    problem: &mut dyn FnMut(Span, String),
    line_of: &dyn Fn(usize) -> usize,
) -> Settings {
    let pattern = |text: &Spanned<String>, problem: &mut dyn FnMut(Span, String)| match Pattern::new(
        text.get_ref(),
        line_of(text.span().start),
    ) {
        Ok(p) => Some(p),
        Err(e) => {
            problem(text.span(), e);
            None
        }
    };
    let include = raw
        .filter
        .include
        .iter()
        .filter_map(|p| pattern(p, problem))
        .collect();
    let exclude = raw
        .filter
        .exclude
        .iter()
        .filter_map(|p| pattern(p, problem))
        .collect();
    let mut exclude_kinds = Vec::new();
    for kind in raw.filter.exclude_kinds {
        if excludable_kinds().contains(&kind.get_ref().as_str()) {
            exclude_kinds.push(kind.into_inner());
        } else {
            problem(
                kind.span(),
                format!(
                    "unknown kind `{}` in exclude_kinds (use one of {})",
                    kind.get_ref(),
                    excludable_kinds().join(", ")
                ),
            );
        }
    }

    let mut severities = Vec::new();
    for (key, level) in &raw.severity {
        let Some(p) = pattern(key, problem) else {
            continue;
        };
        if !RULES.iter().any(|r| p.matches(r.id.as_str())) {
            problem(
                key.span(),
                format!(
                    "`{}` matches no rule id (`pgdrift rules` lists them)",
                    key.get_ref()
                ),
            );
            continue;
        }
        match parse_severity(level.get_ref()) {
            Some(severity) => severities.push(SeverityOverride {
                pattern: p,
                severity,
            }),
            None => problem(
                level.span(),
                format!(
                    "unknown severity `{}` (use error, warning, note or ignore)",
                    level.get_ref()
                ),
            ),
        }
    }

    let mut waivers = Vec::new();
    for spanned in raw.waive {
        let line = line_of(spanned.span().start);
        let w = spanned.into_inner();
        let rule = pattern(&w.rule, problem);
        if let Some(r) = &rule
            && !RULES.iter().any(|x| r.matches(x.id.as_str()))
        {
            problem(
                w.rule.span(),
                format!("waiver rule `{}` matches no rule id", w.rule.get_ref()),
            );
        }
        let object = pattern(&w.object, problem);
        if w.reason.get_ref().trim().is_empty() {
            problem(
                w.reason.span(),
                "a waiver needs a reason (a ticket, a name, why)".into(),
            );
        }
        let expires = match &w.expires {
            None => None,
            Some(value) => {
                let text = match value.get_ref() {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Datetime(d) => d.to_string(),
                    other => other.to_string(),
                };
                match Date::parse(&text) {
                    Some(d) => Some(d),
                    None => {
                        problem(
                            value.span(),
                            format!("`expires` must be a date like 2027-03-01, not {text}"),
                        );
                        None
                    }
                }
            }
        };
        if let (Some(rule), Some(object)) = (rule, object) {
            waivers.push(Waiver {
                rule,
                object,
                reason: w.reason.into_inner(),
                expires,
                line,
            });
        }
    }

    let fail_on = match raw.fail {
        None => Severity::Error,
        Some(fail) => match parse_severity(fail.on.get_ref()) {
            Some(s) if s != Severity::Ignore => s,
            _ => {
                problem(
                    fail.on.span(),
                    format!(
                        "unknown `on` level `{}` (use error, warning or note)",
                        fail.on.get_ref()
                    ),
                );
                Severity::Error
            }
        },
    };

    let mut renames = Vec::new();
    for (from, to) in &raw.plan.renames {
        let split = crate::sql::ident::split_qualified;
        let (a, b) = (split(from.get_ref()), split(to.get_ref()));
        let ok =
            matches!(a.len(), 2 | 3) && a.len() == b.len() && a[..a.len() - 1] == b[..b.len() - 1];
        if ok {
            renames.push((a, b));
        } else {
            problem(
                from.span(),
                format!(
                    "rename `{}` = `{}`: write a table as `schema.table` = `schema.new_name` or a \
                     column as `schema.table.column` = `schema.table.new_name` (same schema and \
                     table, only the last part renamed)",
                    from.get_ref(),
                    to.get_ref()
                ),
            );
        }
    }
    let read_timeout = match &raw.settings.read_timeout {
        None => Some(DEFAULT_READ_TIMEOUT),
        Some(text) => parse_read_timeout(text.get_ref()).unwrap_or_else(|e| {
            problem(text.span(), e);
            Some(DEFAULT_READ_TIMEOUT)
        }),
    };
    Settings {
        ignore: raw.ignore.unwrap_or_default(),
        equivalent_defaults: raw.equivalent_defaults,
        rename_roles: raw.rename.roles,
        rename_schemas: raw.rename.schemas,
        filter: Filter {
            include,
            exclude,
            exclude_kinds,
        },
        severities,
        waivers,
        fail_on,
        plan: PlanSettings {
            allow_destructive: raw.plan.allow_destructive,
            renames,
        },
        read_timeout,
    }
}

pub fn parse_severity(s: &str) -> Option<Severity> {
    match s {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "note" => Some(Severity::Note),
        "ignore" => Some(Severity::Ignore),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            Date::parse("2027-03-01"),
            Some(Date {
                year: 2027,
                month: 3,
                day: 1
            })
        );
        assert_eq!(Date::parse("2027-02-30"), None);
        assert!(Date::parse("2028-02-29").is_some());
        assert_eq!(Date::parse("tomorrow"), None);
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_513).to_string(), "2026-03-01");
        assert!(Date::today().year >= 2024);
    }

    fn settings_with(sev: &[(&str, Severity)]) -> Settings {
        Settings {
            severities: sev
                .iter()
                .enumerate()
                .map(|(i, (p, s))| SeverityOverride {
                    pattern: Pattern::new(p, i + 1).expect("pattern"),
                    severity: *s,
                })
                .collect(),
            ..Settings::default()
        }
    }

    #[test]
    fn most_specific_severity_wins() {
        let s = settings_with(&[
            ("column.type", Severity::Note),
            ("column.*", Severity::Warning),
            ("*", Severity::Ignore),
        ]);
        assert_eq!(
            s.severity_for(RuleId::ColumnType, Severity::Error),
            Severity::Note
        );
        assert_eq!(
            s.severity_for(RuleId::ColumnDefault, Severity::Error),
            Severity::Warning
        );
        assert_eq!(
            s.severity_for(RuleId::IndexMissing, Severity::Error),
            Severity::Ignore
        );
        assert_eq!(
            Settings::default().severity_for(RuleId::IndexMissing, Severity::Error),
            Severity::Error
        );
    }

    #[test]
    fn globs_cross_dots() {
        let p = Pattern::new("public.*.legacy_*", 1).expect("pattern");
        assert!(p.matches("public.orders.legacy_code"));
        assert!(!p.matches("billing.orders.legacy_code"));
        assert!(
            Pattern::new("*.tmp_*", 1)
                .expect("p")
                .matches("public.tmp_import")
        );
        assert!(Pattern::new("public.[", 1).is_err());
    }

    #[test]
    fn ignore_rules_drop_rule_families() {
        let mut s = Settings::default();
        assert!(s.ignores_rule(RuleId::ConstraintName));
        assert!(!s.ignores_rule(RuleId::GrantExtra));
        assert!(s.ignore.set("grants", true));
        assert!(s.ignores_rule(RuleId::GrantExtra) && s.ignores_rule(RuleId::GrantMissing));
        assert!(!s.ignore.set("nope", true));
        assert_eq!(IGNORE_KEYS.len(), 11);
        for key in IGNORE_KEYS {
            assert!(s.ignore.set(key, false), "{key}");
        }
    }
}
