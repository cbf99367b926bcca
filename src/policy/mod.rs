//! The policy: `schema-policy.toml` read in two phases, like cargo-deny's config. First the TOML
//! is deserialized with source spans (unknown keys are errors); then it is validated into a
//! checked `Policy`, collecting every problem with its file, line and column before giving up.
//! Environment variables (`${VAR}`) are resolved here, through a lookup the caller passes in.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub mod outputs;
mod settings;
pub use settings::{
    DEFAULT_READ_TIMEOUT, Date, Filter, IGNORE_KEYS, Ignore, Pattern, PlanSettings, Settings,
    SeverityOverride, Waiver, parse_read_timeout, parse_severity,
};

/// A checked policy, ready to run.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The policy file, as the user named it (for messages and report locations).
    pub path: PathBuf,
    pub targets: BTreeMap<String, Target>,
    pub checks: Vec<Check>,
    /// What differences mean: ignore rules, filters, severities, waivers, fail level.
    pub settings: Settings,
    /// The `[report]` table: which reports to write (command-line flags win).
    pub report: crate::policy::outputs::Outputs,
}

/// A named place a schema comes from.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub source: TargetSource,
    /// Only these schemas; `None` means every non-system schema.
    pub schemas: Option<Vec<String>>,
    /// `schemas = "tenant_*"`: every schema matching the pattern is compared on its own,
    /// against the check's template schema (schema-per-tenant).
    pub schema_pattern: Option<Pattern>,
    /// `databases = [...]` or `databases = "tenant_*"` on a `url` target: every database
    /// listed, or matching on that server, is compared on its own.
    pub databases: Option<Databases>,
}

impl Target {
    /// Whether this target stands for many schemas (a fleet of databases or tenant schemas).
    pub fn is_fleet(&self) -> bool {
        self.schema_pattern.is_some() || self.databases.is_some()
    }
}

/// The databases of a fleet target.
#[derive(Debug, Clone)]
pub enum Databases {
    List(Vec<String>),
    /// Expanded against `pg_database` of the target's server when the run starts.
    Pattern(Pattern),
}

#[derive(Debug, Clone)]
pub enum TargetSource {
    /// A live database.
    Live(LiveTarget),
    /// SQL files applied in order to a fresh scratch database.
    Sql(SqlTarget),
    /// A snapshot file written by `pgdrift snapshot`.
    Snapshot(PathBuf),
}

#[derive(Clone)]
pub struct LiveTarget {
    /// A libpq connection string (URL or key=value), `${VAR}`s resolved. May hold a password:
    /// never print it; `source::conninfo` describes connections without secrets.
    pub conninfo: String,
    pub sslmode: Option<String>,
    pub ca_file: Option<PathBuf>,
    /// The value of the variable named by `password_env`.
    pub password: Option<String>,
    /// Another database on the same server (a member of a `databases` fleet).
    pub database: Option<String>,
    /// Reach the server through an ssh tunnel from this bastion.
    pub ssh: Option<Ssh>,
}

/// `ssh = "user@bastion"` on a `url` target: the database is reached through a tunnel that the
/// system's OpenSSH client opens from the bastion. Host names in the URL are as the bastion
/// sees them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ssh {
    /// `[user@]host`, as given to `ssh` (a `Host` alias from the ssh config works too).
    pub destination: String,
    pub port: Option<u16>,
    /// A private key file (`ssh -i`); when set, only this key is offered.
    pub identity: Option<PathBuf>,
    /// An OpenSSH client configuration file used instead of `~/.ssh/config` (`ssh -F`).
    pub config: Option<PathBuf>,
}

impl fmt::Debug for LiveTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveTarget")
            .field("conninfo", &"<redacted>")
            .field("sslmode", &self.sslmode)
            .field("ca_file", &self.ca_file)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("ssh", &self.ssh)
            .finish()
    }
}

#[derive(Clone)]
pub struct SqlTarget {
    /// Files in the order they are applied: list order, each glob's matches sorted.
    pub files: Vec<PathBuf>,
    /// An existing server to create the scratch database on, instead of a throwaway cluster.
    pub scratch_url: Option<String>,
}

impl fmt::Debug for SqlTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqlTarget")
            .field("files", &self.files)
            .field(
                "scratch_url",
                &self.scratch_url.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// One comparison: expected against actual.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub expected: String,
    /// One target, or many (a fleet): each is compared against `expected` on its own.
    pub actual: Vec<String>,
    /// For tenant schemas: the schema of the expected side that every tenant schema is
    /// compared against (default: the expected side's only schema).
    pub template_schema: Option<String>,
    /// Line of the `[[check]]` in the policy file (1-based), for report locations.
    pub line: u32,
}

/// Every problem found in a policy, each with its location.
#[derive(Debug)]
pub struct PolicyError {
    pub problems: Vec<Problem>,
}

#[derive(Debug)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line and column; 0 when the problem has no place in the file.
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

// ---- phase 1: the TOML as written ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    targets: BTreeMap<String, Spanned<RawTarget>>,
    #[serde(default)]
    check: Vec<Spanned<RawCheck>>,
    // The settings tables; see `settings.rs`.
    ignore: Option<Ignore>,
    #[serde(default)]
    equivalent_defaults: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    rename: settings::RawRename,
    #[serde(default)]
    filter: settings::RawFilter,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    waive: Vec<Spanned<settings::RawWaiver>>,
    fail: Option<settings::RawFail>,
    #[serde(default)]
    report: RawReport,
    #[serde(default)]
    plan: settings::RawPlan,
    #[serde(default)]
    settings: settings::RawRunSettings,
}

/// `[report]`: report paths, relative to the working directory of the run (where CI jobs
/// collect artifacts), as the command-line flags are.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawReport {
    json: Option<PathBuf>,
    junit: Option<PathBuf>,
    sarif: Option<PathBuf>,
    markdown: Option<PathBuf>,
    codequality: Option<PathBuf>,
    html: Option<PathBuf>,
    rdjson: Option<PathBuf>,
    output_dir: Option<PathBuf>,
    annotations: Option<crate::policy::outputs::AnnotationStyle>,
    sarif_waived: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    url: Option<Spanned<String>>,
    sql: Option<Spanned<OneOrMany>>,
    snapshot: Option<Spanned<String>>,
    scratch_url: Option<Spanned<String>>,
    sslmode: Option<Spanned<String>>,
    ca_file: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    schemas: Option<Spanned<OneOrMany>>,
    databases: Option<Spanned<OneOrMany>>,
    ssh: Option<Spanned<String>>,
    ssh_port: Option<Spanned<i64>>,
    ssh_identity: Option<Spanned<String>>,
    ssh_config: Option<Spanned<String>>,
}

impl RawTarget {
    /// The ssh keys given, with where they are: they apply to `url` targets only.
    fn ssh_keys(&self) -> Vec<(&'static str, Range<usize>)> {
        [
            ("ssh", self.ssh.as_ref().map(Spanned::span)),
            ("ssh_port", self.ssh_port.as_ref().map(Spanned::span)),
            (
                "ssh_identity",
                self.ssh_identity.as_ref().map(Spanned::span),
            ),
            ("ssh_config", self.ssh_config.as_ref().map(Spanned::span)),
        ]
        .into_iter()
        .filter_map(|(k, s)| Some((k, s?)))
        .collect()
    }
}

/// The ssh keys of a target, taken out of it for checking.
struct RawSsh {
    ssh: Option<Spanned<String>>,
    port: Option<Spanned<i64>>,
    identity: Option<Spanned<String>>,
    config: Option<Spanned<String>>,
}

/// A string or a list of strings (`sql`, `schemas`, `databases`, a check's `actual`).
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut list = Vec::new();
                while let Some(item) = seq.next_element::<String>()? {
                    list.push(item);
                }
                Ok(OneOrMany::Many(list))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    name: Option<Spanned<String>>,
    expected: Spanned<String>,
    actual: Spanned<OneOrMany>,
    template_schema: Option<Spanned<String>>,
}

const SSLMODES: &[&str] = &[
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// Read and check a policy file.
pub fn load(path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Policy, PolicyError> {
    let fail = |message: String| PolicyError {
        problems: vec![Problem {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            message,
        }],
    };
    let text = read_limited(path, MAX_POLICY_BYTES).map_err(|e| match e {
        ReadLimited::TooLarge => fail(format!(
            "the policy file is larger than {} KiB; a policy names targets and rules, not \
             schemas (is this the right file?)",
            MAX_POLICY_BYTES / 1024
        )),
        ReadLimited::Io(e) => fail(format!("cannot read the policy file: {e}")),
    })?;
    parse(&text, path, env)
}

/// A policy file is a page or two of TOML; one larger than this is refused unread (a 50 MB
/// file would otherwise take over a gigabyte of memory to parse with spans).
const MAX_POLICY_BYTES: u64 = 1024 * 1024;

enum ReadLimited {
    TooLarge,
    Io(std::io::Error),
}

/// Read a UTF-8 file of at most `limit` bytes, without reading more than that of a larger one.
fn read_limited(path: &Path, limit: u64) -> Result<String, ReadLimited> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(ReadLimited::Io)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadLimited::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadLimited::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| {
        ReadLimited::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ),
        ))
    })
}

/// Check a policy given as text. `path` names the file in messages; relative paths inside the
/// policy are resolved against its folder.
pub fn parse(
    text: &str,
    path: &Path,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Policy, PolicyError> {
    // Editors on Windows start UTF-8 files with a byte-order mark; TOML does not allow one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut v = Validator {
        text,
        file: path,
        base: path.parent().unwrap_or(Path::new("")).to_path_buf(),
        env,
        problems: Vec::new(),
    };
    let raw: RawPolicy = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            v.problem(span, e.message().trim_end().to_string());
            return Err(PolicyError {
                problems: v.problems,
            });
        }
    };
    let policy = v.validate(raw);
    if v.problems.is_empty() {
        Ok(policy)
    } else {
        Err(PolicyError {
            problems: v.problems,
        })
    }
}

// ---- phase 2: validation ----

struct Validator<'a> {
    text: &'a str,
    file: &'a Path,
    base: PathBuf,
    env: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<Problem>,
}

impl Validator<'_> {
    fn problem(&mut self, span: Range<usize>, message: String) {
        let (line, column) = line_column(self.text, span.start);
        self.problems.push(Problem {
            file: self.file.to_path_buf(),
            line,
            column,
            message,
        });
    }

    fn validate(&mut self, raw: RawPolicy) -> Policy {
        let mut targets = BTreeMap::new();
        // Checks may name a target that has problems of its own: those are reported once, at
        // the target.
        let defined: Vec<String> = raw.targets.keys().cloned().collect();
        for (name, spanned) in raw.targets {
            let span = spanned.span();
            if let Some(target) = self.target(&name, spanned.into_inner(), span) {
                targets.insert(name.clone(), target);
            }
        }
        let mut checks = Vec::new();
        if raw.check.is_empty() {
            self.problems.push(Problem {
                file: self.file.to_path_buf(),
                line: 0,
                column: 0,
                message: "the policy has no [[check]]: add one naming an `expected` and an \
                          `actual` target"
                    .into(),
            });
        }
        for spanned in raw.check {
            let span = spanned.span();
            let check = spanned.into_inner();
            let actual_span = check.actual.span();
            let actual: Vec<String> = match check.actual.into_inner() {
                OneOrMany::One(a) => vec![a],
                OneOrMany::Many(list) => list,
            };
            if actual.is_empty() {
                self.problem(actual_span.clone(), "`actual` names no target".into());
            }
            let sides = std::iter::once((check.expected.get_ref(), check.expected.span()))
                .chain(actual.iter().map(|a| (a, actual_span.clone())));
            for (side, side_span) in sides {
                if !defined.contains(side) {
                    let known: Vec<&str> = defined.iter().map(String::as_str).collect();
                    self.problem(
                        side_span,
                        format!(
                            "unknown target `{side}` (targets defined: {})",
                            if known.is_empty() {
                                "none".to_string()
                            } else {
                                known.join(", ")
                            }
                        ),
                    );
                }
            }
            if targets
                .get(check.expected.get_ref())
                .is_some_and(Target::is_fleet)
            {
                self.problem(
                    check.expected.span(),
                    format!(
                        "target `{}` stands for many schemas (`databases`, or a `schemas` \
                         pattern) and can only be on the `actual` side of a check",
                        check.expected.get_ref()
                    ),
                );
            }
            let name = match check.name {
                Some(n) => n.into_inner(),
                None => format!("{} vs {}", check.expected.get_ref(), actual.join(", ")),
            };
            checks.push(Check {
                name,
                expected: check.expected.into_inner(),
                actual,
                template_schema: check.template_schema.map(Spanned::into_inner),
                line: line_column(self.text, span.start).0 as u32,
            });
        }
        let raw_settings = settings::RawSettings {
            ignore: raw.ignore,
            equivalent_defaults: raw.equivalent_defaults,
            rename: raw.rename,
            filter: raw.filter,
            severity: raw.severity,
            waive: raw.waive,
            fail: raw.fail,
            plan: raw.plan,
            settings: raw.settings,
        };
        let text = self.text;
        let mut problems = Vec::new();
        let settings = settings::validate(
            raw_settings,
            &mut |span, message| problems.push((span, message)),
            &|offset| line_column(text, offset).0,
        );
        for (span, message) in problems {
            self.problem(span, message);
        }
        let r = raw.report;
        Policy {
            path: self.file.to_path_buf(),
            targets,
            checks,
            settings,
            report: crate::policy::outputs::Outputs {
                json: r.json,
                junit: r.junit,
                sarif: r.sarif,
                markdown: r.markdown,
                codequality: r.codequality,
                html: r.html,
                rdjson: r.rdjson,
                output_dir: r.output_dir,
                annotations: r.annotations,
                sarif_waived: r.sarif_waived,
            },
        }
    }

    fn target(&mut self, name: &str, raw: RawTarget, span: Range<usize>) -> Option<Target> {
        let ssh_keys = raw.ssh_keys();
        let ssh_raw = RawSsh {
            ssh: raw.ssh,
            port: raw.ssh_port,
            identity: raw.ssh_identity,
            config: raw.ssh_config,
        };
        let mut schema_pattern = None;
        let schemas = match raw.schemas.map(|s| (s.span(), s.into_inner())) {
            None => None,
            Some((_, OneOrMany::Many(list))) => Some(list),
            Some((at, OneOrMany::One(pattern))) => {
                let line = line_column(self.text, at.start).0;
                match Pattern::new(&pattern, line) {
                    Ok(p) => schema_pattern = Some(p),
                    Err(e) => self.problem(at, format!("target `{name}`: {e}")),
                }
                None
            }
        };
        let databases = match raw.databases.map(|d| (d.span(), d.into_inner())) {
            None => None,
            Some((at, _)) if raw.url.is_none() => {
                self.problem(
                    at,
                    format!("target `{name}`: `databases` needs a `url` naming the server"),
                );
                None
            }
            Some((_, OneOrMany::Many(list))) => Some(Databases::List(list)),
            Some((at, OneOrMany::One(pattern))) => {
                let line = line_column(self.text, at.start).0;
                match Pattern::new(&pattern, line) {
                    Ok(p) => Some(Databases::Pattern(p)),
                    Err(e) => {
                        self.problem(at, format!("target `{name}`: {e}"));
                        None
                    }
                }
            }
        };
        let given: Vec<(&str, Range<usize>)> = [
            ("url", raw.url.as_ref().map(Spanned::span)),
            ("sql", raw.sql.as_ref().map(Spanned::span)),
            ("snapshot", raw.snapshot.as_ref().map(Spanned::span)),
        ]
        .into_iter()
        .filter_map(|(k, s)| Some((k, s?)))
        .collect();
        if given.len() > 1 {
            let keys: Vec<String> = given.iter().map(|(k, _)| format!("`{k}`")).collect();
            self.problem(
                given[1].1.clone(),
                format!(
                    "target `{name}` has {}: a target is exactly one of `url`, `sql` and \
                     `snapshot`",
                    keys.join(" and ")
                ),
            );
            return None;
        }
        if let Some(snapshot) = raw.snapshot {
            for (key, value) in [
                ("sslmode", raw.sslmode.as_ref().map(Spanned::span)),
                ("ca_file", raw.ca_file.as_ref().map(Spanned::span)),
                ("password_env", raw.password_env.as_ref().map(Spanned::span)),
                ("scratch_url", raw.scratch_url.as_ref().map(Spanned::span)),
            ] {
                if let Some(s) = value {
                    self.problem(
                        s,
                        format!("target `{name}`: `{key}` does not apply to a `snapshot` target"),
                    );
                }
            }
            for (key, s) in ssh_keys.clone() {
                self.problem(
                    s,
                    format!("target `{name}`: `{key}` does not apply to a `snapshot` target"),
                );
            }
            let written = self.interpolate(&snapshot)?;
            let file = self.base.join(written);
            if !file.is_file() {
                self.problem(
                    snapshot.span(),
                    format!(
                        "target `{name}`: snapshot file {} does not exist (write one with \
                         `pgdrift snapshot`)",
                        file.display()
                    ),
                );
                return None;
            }
            return Some(Target {
                name: name.to_string(),
                source: TargetSource::Snapshot(file),
                schemas,
                schema_pattern,
                databases,
            });
        }
        let source = match (raw.url, raw.sql) {
            (Some(url), None) => {
                if let Some(s) = &raw.scratch_url {
                    self.problem(
                        s.span(),
                        format!("target `{name}`: `scratch_url` only applies to `sql` targets"),
                    );
                }
                let conninfo = self.interpolate(&url)?;
                let sslmode = raw.sslmode.and_then(|m| {
                    if SSLMODES.contains(&m.get_ref().as_str()) {
                        Some(m.into_inner())
                    } else {
                        self.problem(
                            m.span(),
                            format!(
                                "target `{name}`: unknown sslmode `{}` (use one of {})",
                                m.get_ref(),
                                SSLMODES.join(", ")
                            ),
                        );
                        None
                    }
                });
                let ca_file = match raw.ca_file {
                    Some(f) => {
                        let file = self.interpolate(&f)?;
                        Some(self.base.join(file))
                    }
                    None => None,
                };
                let password = match raw.password_env {
                    Some(var) => match (self.env)(var.get_ref()) {
                        Some(value) => Some(value),
                        None => {
                            self.problem(
                                var.span(),
                                format!(
                                    "target `{name}`: password_env names `{}`, which is not set",
                                    var.get_ref()
                                ),
                            );
                            None
                        }
                    },
                    None => None,
                };
                let ssh = self.ssh(name, ssh_raw, &ssh_keys);
                TargetSource::Live(LiveTarget {
                    conninfo,
                    sslmode,
                    ca_file,
                    password,
                    database: None,
                    ssh,
                })
            }
            (None, Some(sql)) => {
                for (key, value) in [
                    ("sslmode", raw.sslmode.as_ref().map(Spanned::span)),
                    ("ca_file", raw.ca_file.as_ref().map(Spanned::span)),
                    ("password_env", raw.password_env.as_ref().map(Spanned::span)),
                ] {
                    if let Some(s) = value {
                        self.problem(
                            s,
                            format!(
                                "target `{name}`: `{key}` only applies to `url` targets; for \
                                 the scratch server, put it into `scratch_url`"
                            ),
                        );
                    }
                }
                for (key, s) in ssh_keys.clone() {
                    self.problem(
                        s,
                        format!(
                            "target `{name}`: `{key}` only applies to `url` targets (SQL files \
                             are applied to a local or `scratch_url` server)"
                        ),
                    );
                }
                let scratch_url = match raw.scratch_url {
                    Some(u) => Some(self.interpolate(&u)?),
                    None => None,
                };
                let files = self.sql_files(name, sql)?;
                TargetSource::Sql(SqlTarget { files, scratch_url })
            }
            (Some(_), Some(_)) => return None,
            (None, None) => {
                self.problem(
                    span,
                    format!(
                        "target `{name}` has no source: give it `url = \"postgres://...\"` (a \
                         live database), `sql = \"path/*.sql\"` (SQL files) or `snapshot = \
                         \"schema.snapshot.json\"` (a snapshot file)"
                    ),
                );
                return None;
            }
        };
        Some(Target {
            name: name.to_string(),
            source,
            schemas,
            schema_pattern,
            databases,
        })
    }

    /// The `ssh` settings of a `url` target, checked; `None` without `ssh` (or when a value is
    /// bad, which is then a problem at its location).
    fn ssh(
        &mut self,
        name: &str,
        raw: RawSsh,
        keys: &[(&'static str, Range<usize>)],
    ) -> Option<Ssh> {
        let Some(destination) = &raw.ssh else {
            for (key, s) in keys.iter().cloned() {
                self.problem(
                    s,
                    format!(
                        "target `{name}`: `{key}` needs `ssh = \"user@bastion.example\"`, the \
                         host to tunnel through"
                    ),
                );
            }
            return None;
        };
        let mut ok = true;
        let written = self.interpolate(destination)?;
        if let Err(e) = check_ssh_destination(&written) {
            self.problem(destination.span(), format!("target `{name}`: `ssh`: {e}"));
            ok = false;
        }
        let port = match &raw.port {
            None => None,
            Some(p) => match u16::try_from(*p.get_ref()) {
                Ok(port) if port > 0 => Some(port),
                _ => {
                    self.problem(
                        p.span(),
                        format!(
                            "target `{name}`: `ssh_port` must be a port number from 1 to 65535, \
                             not {}",
                            p.get_ref()
                        ),
                    );
                    ok = false;
                    None
                }
            },
        };
        let mut file = |key: &str, value: &Option<Spanned<String>>, what: &str| {
            let value = value.as_ref()?;
            let written = self.interpolate(value)?;
            let path = match written.strip_prefix("~/") {
                Some(rest) => match (self.env)("HOME") {
                    Some(home) => Path::new(&home).join(rest),
                    None => self.base.join(&written),
                },
                None => self.base.join(&written),
            };
            if path.is_file() {
                Some(path)
            } else {
                self.problem(
                    value.span(),
                    format!(
                        "target `{name}`: `{key}`: {what} {} does not exist",
                        path.display()
                    ),
                );
                None
            }
        };
        let identity = file("ssh_identity", &raw.identity, "the private key file");
        let config = file("ssh_config", &raw.config, "the ssh config file");
        ok &= raw.identity.is_none() || identity.is_some();
        ok &= raw.config.is_none() || config.is_some();
        ok.then_some(Ssh {
            destination: written,
            port,
            identity,
            config,
        })
    }

    /// Resolve `${VAR}` references. An unset variable is a problem at the value's location.
    fn interpolate(&mut self, value: &Spanned<String>) -> Option<String> {
        match interpolate(value.get_ref(), self.env) {
            Ok(s) => Some(s),
            Err(message) => {
                self.problem(value.span(), message);
                None
            }
        }
    }

    fn sql_files(&mut self, name: &str, sql: Spanned<OneOrMany>) -> Option<Vec<PathBuf>> {
        let span = sql.span();
        let patterns = match sql.into_inner() {
            OneOrMany::One(p) => vec![p],
            OneOrMany::Many(list) => list,
        };
        if patterns.is_empty() {
            self.problem(span, format!("target `{name}`: `sql` lists no files"));
            return None;
        }
        let mut files = Vec::new();
        for pattern in patterns {
            let pattern = match interpolate(&pattern, self.env) {
                Ok(p) => p,
                Err(message) => {
                    self.problem(span.clone(), message);
                    continue;
                }
            };
            let full = self.base.join(&pattern);
            match expand_sql_files(&full.to_string_lossy()) {
                Ok(found) => files.extend(found),
                Err(message) => self.problem(span.clone(), format!("target `{name}`: {message}")),
            }
        }
        Some(files)
    }
}

/// Check an `ssh` destination: `[user@]host`, where host is a name, an address or a `Host`
/// alias of the ssh config. It becomes an argument of `ssh`, so nothing in it may read as an
/// option or as more than one word.
pub fn check_ssh_destination(destination: &str) -> Result<(), String> {
    if destination.starts_with("ssh://") {
        return Err("give `user@host` without `ssh://`, and the port as `ssh_port = 2222`".into());
    }
    let (user, host) = match destination.rsplit_once('@') {
        Some((user, host)) => (Some(user), host),
        None => (None, destination),
    };
    if let Some(user) = user {
        if user.is_empty() {
            return Err("the user name before `@` is empty".into());
        }
        if user.starts_with('-') || user.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "`{}` is not a user name (no spaces, control characters or leading `-`)",
                user.escape_debug()
            ));
        }
    }
    if host.is_empty() {
        return Err("the host is empty: use `user@bastion.example` or `bastion.example`".into());
    }
    let bracketed = host.starts_with('[') && host.ends_with(']');
    let inner = if bracketed {
        &host[1..host.len() - 1]
    } else {
        host
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '%');
    if host.starts_with('-') || inner.is_empty() || !inner.chars().all(allowed) {
        return Err(format!(
            "`{}` is not a host name, address or ssh `Host` alias; for another port, use \
             `ssh_port`",
            host.escape_debug()
        ));
    }
    if !bracketed && inner.contains(':') && inner.parse::<std::net::Ipv6Addr>().is_err() {
        return Err(format!(
            "`{}` is not a host name: give the port as `ssh_port`, not after a colon",
            host.escape_debug()
        ));
    }
    Ok(())
}

/// The files a `sql` entry names: the file itself, or a glob's matches in lexical order.
pub fn expand_sql_files(pattern: &str) -> Result<Vec<PathBuf>, String> {
    let is_glob = pattern.contains(['*', '?', '[']);
    if !is_glob {
        let path = PathBuf::from(pattern);
        return if path.is_file() {
            Ok(vec![path])
        } else {
            Err(format!("SQL file {pattern} does not exist"))
        };
    }
    let paths =
        glob::glob(pattern).map_err(|e| format!("bad file pattern `{pattern}`: {}", e.msg))?;
    let mut found: Vec<PathBuf> = paths.flatten().filter(|p| p.is_file()).collect();
    found.sort();
    if found.is_empty() {
        return Err(format!("the pattern `{pattern}` matches no files"));
    }
    Ok(found)
}

/// Resolve `${VAR}` in `value`. `$$` stands for a literal `$`.
pub fn interpolate(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push('$');
            rest = stripped;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body
                .find('}')
                .ok_or_else(|| format!("unclosed `${{` in `{}`", redact_hint(value)))?;
            let var = &body[..end];
            if var.is_empty() || !var.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(format!(
                    "`${{{var}}}` is not a valid environment variable name"
                ));
            }
            match env(var) {
                Some(v) => out.push_str(&v),
                None => {
                    return Err(format!(
                        "environment variable `{var}` is not set (referenced as `${{{var}}}`)"
                    ));
                }
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// A value may hold a password; in messages show only that it is a connection setting.
fn redact_hint(value: &str) -> &str {
    if value.contains('@') || value.contains("password") {
        "this value"
    } else {
        value
    }
}

/// 1-based line and column (in characters) of byte `offset`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "PROD_URL" => Some("postgres://ci:s3cret@db.internal/app".into()),
            "PROD_PASSWORD" => Some("hunter2".into()),
            _ => None,
        }
    }

    fn parse_text(text: &str) -> Result<Policy, PolicyError> {
        parse(text, Path::new("schema-policy.toml"), &env)
    }

    #[test]
    fn a_list_or_string_setting_says_which_it_takes() {
        let m = messages(
            "[targets.a]\nurl = \"postgresql://h/db\"\nschemas = 5\n\
             [targets.b]\nurl = \"postgresql://h/db\"\n\
             [[check]]\nexpected = \"a\"\nactual = \"b\"\n",
        );
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("schema-policy.toml:3:11:")
                && m[0].contains("expected a string or a list of strings")
                && !m[0].contains("untagged"),
            "{m:?}"
        );
        let m = messages("[targets.a]\nsql = [\"a.sql\", 7]\n");
        assert!(m[0].contains("expected a string"), "{m:?}");
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_huge_files_are_refused_unread() {
        assert!(parse_text(&format!("\u{feff}{GOOD}")).is_ok());
        let dir = tempfile::tempdir().expect("tempdir");
        let huge = dir.path().join("huge.toml");
        let mut text = String::from(GOOD);
        while text.len() as u64 <= MAX_POLICY_BYTES {
            text.push_str("# padding padding padding padding padding padding padding padding\n");
        }
        std::fs::write(&huge, &text).expect("write");
        let e = load(&huge, &env).expect_err("too large");
        assert!(e.to_string().contains("larger than 1024 KiB"), "{e}");
        let small = dir.path().join("small.toml");
        std::fs::write(&small, GOOD).expect("write");
        assert!(load(&small, &env).is_ok());
    }

    fn messages(text: &str) -> Vec<String> {
        match parse_text(text) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
        }
    }

    const GOOD: &str = r#"
[targets.expected]
url = "postgres://ci@localhost:5432/app_expected"

[targets.production]
url = "${PROD_URL}"
sslmode = "verify-full"
ca_file = "certs/prod-ca.pem"
password_env = "PROD_PASSWORD"
schemas = ["public", "billing"]

[[check]]
name = "production matches migrations"
expected = "expected"
actual = "production"
"#;

    #[test]
    fn reads_a_good_policy() {
        let policy = parse_text(GOOD).expect("valid");
        assert_eq!(policy.checks.len(), 1);
        let check = &policy.checks[0];
        assert_eq!(check.name, "production matches migrations");
        assert_eq!(check.line, 12);
        let prod = &policy.targets["production"];
        assert_eq!(
            prod.schemas.as_deref(),
            Some(&["public".to_string(), "billing".to_string()][..])
        );
        match &prod.source {
            TargetSource::Live(live) => {
                assert_eq!(live.conninfo, "postgres://ci:s3cret@db.internal/app");
                assert_eq!(live.sslmode.as_deref(), Some("verify-full"));
                assert_eq!(live.password.as_deref(), Some("hunter2"));
                assert_eq!(live.ca_file, Some(PathBuf::from("certs/prod-ca.pem")));
                let debug = format!("{live:?}");
                assert!(
                    !debug.contains("s3cret") && !debug.contains("hunter2"),
                    "{debug}"
                );
            }
            other => panic!("expected a live target, got {other:?}"),
        }
    }

    #[test]
    fn unknown_key_has_line_and_column() {
        let text = "[targets.a]\nurl = \"x\"\nsslmdoe = \"require\"\n";
        let msgs = messages(text);
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("schema-policy.toml:3:1: "), "{msgs:?}");
        assert!(msgs[0].contains("sslmdoe"), "{msgs:?}");
    }

    #[test]
    fn malformed_toml_has_location() {
        let msgs = messages("[targets.a]\nurl = \"unclosed\n");
        assert!(msgs[0].starts_with("schema-policy.toml:2:"), "{msgs:?}");
    }

    #[test]
    fn collects_every_problem_with_locations() {
        let text = r#"[targets.a]
url = "${NOT_SET}"

[targets.b]
url = "postgres://x/y"
sql = "a.sql"

[targets.c]
schemas = ["public"]

[targets.d]
url = "postgres://x/y"
sslmode = "sometimes"

[[check]]
expected = "a"
actual = "nope"
"#;
        let msgs = messages(text);
        assert_eq!(msgs.len(), 5, "{msgs:#?}");
        assert!(msgs[0].contains(":2:7: ") && msgs[0].contains("`NOT_SET` is not set"));
        assert!(msgs[1].contains(":6:7: ") && msgs[1].contains("has `url` and `sql`"));
        assert!(msgs[2].contains(":8:1: ") && msgs[2].contains("has no source"));
        assert!(msgs[3].contains(":13:11: ") && msgs[3].contains("unknown sslmode"));
        assert!(msgs[4].contains(":17:10: ") && msgs[4].contains("unknown target `nope`"));
    }

    #[test]
    fn unset_password_env_is_an_error() {
        let text = "[targets.a]\nurl = \"postgres://x/y\"\npassword_env = \"NOPE\"\n\
                    [[check]]\nexpected = \"a\"\nactual = \"a\"\n";
        let msgs = messages(text);
        assert!(
            msgs[0].contains(":3:16: ") && msgs[0].contains("`NOPE`"),
            "{msgs:?}"
        );
    }

    #[test]
    fn no_checks_is_an_error() {
        let msgs = messages("[targets.a]\nurl = \"postgres://x/y\"\n");
        assert!(msgs[0].contains("no [[check]]"), "{msgs:?}");
    }

    #[test]
    fn sql_targets_resolve_files_and_globs_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in ["002_b.sql", "001_a.sql", "010_c.sql", "notes.txt"] {
            std::fs::write(dir.path().join(f), "").expect("write");
        }
        std::fs::write(dir.path().join("schema.sql"), "").expect("write");
        let text = "[targets.migrations]\nsql = \"*.sql\"\n[targets.one]\nsql = [\"schema.sql\"]\n\
                    [[check]]\nexpected = \"one\"\nactual = \"migrations\"\n";
        let policy = parse(text, &dir.path().join("p.toml"), &env).expect("valid");
        let TargetSource::Sql(sql) = &policy.targets["migrations"].source else {
            panic!("sql target expected")
        };
        let names: Vec<String> = sql
            .files
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["001_a.sql", "002_b.sql", "010_c.sql", "schema.sql"]);
    }

    #[test]
    fn missing_sql_files_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let text = "[targets.a]\nsql = \"nope/*.sql\"\n[targets.b]\nsql = \"missing.sql\"\n\
                    [[check]]\nexpected = \"a\"\nactual = \"b\"\n";
        let err = parse(text, &dir.path().join("p.toml"), &env).expect_err("invalid");
        let msgs: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
        assert!(msgs[0].contains(":2:7: ") && msgs[0].contains("matches no files"));
        assert!(msgs[1].contains(":4:7: ") && msgs[1].contains("does not exist"));
    }

    #[test]
    fn interpolation() {
        assert_eq!(
            interpolate("a${PROD_PASSWORD}b", &env).unwrap(),
            "ahunter2b"
        );
        assert_eq!(interpolate("cost $$5 $x", &env).unwrap(), "cost $5 $x");
        assert!(
            interpolate("${NOPE}", &env)
                .unwrap_err()
                .contains("`NOPE` is not set")
        );
        assert!(interpolate("${A-B}", &env).is_err());
        assert!(interpolate("${UNCLOSED", &env).is_err());
    }

    #[test]
    fn line_column_counts_characters() {
        assert_eq!(line_column("ab\ncé d", 7), (2, 4));
        assert_eq!(line_column("x", 0), (1, 1));
    }

    #[test]
    fn the_example_policy_loads_with_every_setting() {
        let dir = tempfile::tempdir().expect("tempdir");
        let example = include_str!("../../schema-policy.example.toml");
        std::fs::create_dir_all(dir.path().join("db/migrations")).expect("mkdir");
        std::fs::write(dir.path().join("db/migrations/001_init.sql"), "").expect("write");
        let env = |name: &str| match name {
            "PROD_DATABASE_URL" => Some("postgresql://ci@db/app".to_string()),
            "PROD_DB_PASSWORD" => Some("pw".to_string()),
            _ => None,
        };
        let policy = parse(example, &dir.path().join("schema-policy.toml"), &env)
            .unwrap_or_else(|e| panic!("the example policy does not load:\n{e}"));
        let s = &policy.settings;
        assert_eq!(s.ignore, Ignore::default());
        assert_eq!(s.equivalent_defaults["uuid"].len(), 2);
        assert_eq!(s.rename_roles["app_prod"], "app_stage");
        assert_eq!(s.rename_schemas["tenant_042"], "tenant_template");
        assert_eq!(s.filter.include.len(), 2);
        assert_eq!(s.filter.exclude.len(), 3);
        assert_eq!(s.filter.exclude_kinds, ["comment"]);
        assert_eq!(s.severities.len(), 3);
        assert_eq!(s.waivers.len(), 1);
        assert_eq!(
            s.waivers[0].expires.map(|d| d.to_string()).as_deref(),
            Some("2027-03-01")
        );
        assert_eq!(s.fail_on, crate::rules::Severity::Error);
        assert_eq!(s.read_timeout, Some(std::time::Duration::from_secs(75)));
        assert_eq!(
            s.severity_for(
                crate::rules::RuleId::GrantExtra,
                crate::rules::Severity::Error
            ),
            crate::rules::Severity::Warning
        );
    }

    #[test]
    fn settings_problems_have_locations() {
        let text = r#"[targets.a]
url = "postgres://x/y"
[[check]]
expected = "a"
actual = "a"
[ignore]
whitespace = true
colum_order = true
[filter]
exclude = ["public.[oops"]
exclude_kinds = ["tabel"]
[severity]
"colunm.*" = "warning"
"grant.*" = "loud"
[[waive]]
rule = "index.extra"
object = "public.x"
reason = ""
expires = "next week"
[fail]
on = "sometimes"
[settings]
read_timeout = "75"
"#;
        let msgs = messages(text);
        assert_eq!(msgs.len(), 1, "TOML errors stop first: {msgs:#?}");
        assert!(
            msgs[0].contains(":8:1:") && msgs[0].contains("colum_order"),
            "{msgs:?}"
        );

        let text = text.replace("colum_order = true\n", "");
        let msgs = messages(&text);
        let want = [
            (":9:12:", "bad pattern"),
            (":10:18:", "unknown kind `tabel`"),
            (":12:1:", "matches no rule id"),
            (":13:13:", "unknown severity `loud`"),
            (":17:10:", "needs a reason"),
            (":18:11:", "must be a date"),
            (":20:6:", "unknown `on` level"),
            (":22:16:", "read_timeout `75` is not a duration"),
        ];
        assert_eq!(msgs.len(), want.len(), "{msgs:#?}");
        for (msg, (at, what)) in msgs.iter().zip(want) {
            assert!(
                msg.contains(at) && msg.contains(what),
                "{msg} should have {at} {what}"
            );
        }
    }

    #[test]
    fn read_timeout_is_a_postgresql_duration() {
        let policy = |settings: &str| {
            let text = format!(
                "[targets.a]\nurl = \"postgres://x/y\"\n[[check]]\nexpected = \"a\"\n\
                 actual = \"a\"\n{settings}"
            );
            parse(&text, Path::new("p.toml"), &|_| None).map(|p| p.settings.read_timeout)
        };
        let secs = |s| Some(std::time::Duration::from_secs(s));
        assert_eq!(policy("").unwrap(), secs(75));
        assert_eq!(
            policy("[settings]\nread_timeout = \"2min\"\n").unwrap(),
            secs(120)
        );
        assert_eq!(
            policy("[settings]\nread_timeout = \"0\"\n").unwrap(),
            None,
            "0 waits as long as it takes"
        );
        let e = policy("[settings]\nread_timeout = \"soon\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.toml:7:16:") && e.contains("\"75s\""), "{e}");
        let e = policy("[settings]\nread_timout = \"5s\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("read_timout"), "{e}");
    }

    #[test]
    fn the_fleet_example_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/fleet/schema-policy.toml");
        let env = |name: &str| {
            name.ends_with("_URL")
                .then(|| "postgresql://ci@db/x".to_string())
        };
        let policy = load(&path, &env).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            policy.targets["regions"].databases,
            Some(Databases::Pattern(ref p)) if p.text == "shop_*"
        ));
        assert!(policy.targets["tenants"].schema_pattern.is_some());
        assert!(policy.targets["tenants"].is_fleet());
        assert!(!policy.targets["tenant_template"].is_fleet());
        assert_eq!(policy.checks[1].actual, ["tenants"]);
    }

    #[test]
    fn ssh_settings_are_read_relative_to_the_policy() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("ci")).expect("mkdir");
        std::fs::write(dir.path().join("ci/bastion_key"), "key").expect("write");
        std::fs::write(dir.path().join("ci/ssh_config"), "").expect("write");
        let text = "[targets.a]\nurl = \"postgresql://ci@db.internal/app\"\n\
                    ssh = \"${BASTION}\"\nssh_port = 2222\nssh_identity = \"ci/bastion_key\"\n\
                    ssh_config = \"ci/ssh_config\"\n\
                    [[check]]\nexpected = \"a\"\nactual = \"a\"\n";
        let env = |name: &str| (name == "BASTION").then(|| "deploy@bastion.example".to_string());
        let policy =
            parse(text, &dir.path().join("p.toml"), &env).unwrap_or_else(|e| panic!("{e}"));
        let TargetSource::Live(live) = &policy.targets["a"].source else {
            panic!("a live target")
        };
        assert_eq!(
            live.ssh,
            Some(Ssh {
                destination: "deploy@bastion.example".into(),
                port: Some(2222),
                identity: Some(dir.path().join("ci/bastion_key")),
                config: Some(dir.path().join("ci/ssh_config")),
            })
        );
        let plain = "[targets.a]\nurl = \"postgresql://db/app\"\nssh = \"bastion\"\n\
                     [[check]]\nexpected = \"a\"\nactual = \"a\"\n";
        let policy = parse_text(plain).unwrap_or_else(|e| panic!("{e}"));
        let TargetSource::Live(live) = &policy.targets["a"].source else {
            panic!("a live target")
        };
        let ssh = live.ssh.as_ref().expect("ssh");
        assert_eq!((ssh.destination.as_str(), ssh.port), ("bastion", None));
    }

    #[test]
    fn bad_ssh_settings_have_locations() {
        let text = r#"[targets.a]
url = "postgresql://db/app"
ssh = "-oProxyCommand=touch /tmp/x"
[targets.b]
url = "postgresql://db/app"
ssh = "ci@bastion:2222"
ssh_port = 0
ssh_identity = "missing_key"
[targets.c]
url = "postgresql://db/app"
ssh_port = 22
[targets.d]
sql = "x.sql"
ssh = "ci@bastion"
[targets.e]
url = "postgresql://db/app"
ssh = "ssh://ci@bastion:22"
ssh_port = 65536
[[check]]
expected = "a"
actual = "b"
"#;
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("x.sql"), "").expect("write");
        let err = parse(text, &dir.path().join("p.toml"), &env).expect_err("invalid");
        let msgs: Vec<String> = err.problems.iter().map(|p| p.to_string()).collect();
        let want = [
            (
                ":3:7:",
                "target `a`: `ssh`: `-oProxyCommand=touch /tmp/x` is not a host name",
            ),
            (":6:7:", "give the port as `ssh_port`"),
            (
                ":7:12:",
                "`ssh_port` must be a port number from 1 to 65535, not 0",
            ),
            (":8:16:", "the private key file"),
            (":11:12:", "target `c`: `ssh_port` needs `ssh ="),
            (":14:7:", "target `d`: `ssh` only applies to `url` targets"),
            (":17:7:", "without `ssh://`"),
            (":18:12:", "not 65536"),
        ];
        assert_eq!(msgs.len(), want.len(), "{msgs:#?}");
        for (msg, (at, what)) in msgs.iter().zip(want) {
            assert!(
                msg.contains(at) && msg.contains(what),
                "{msg} should have {at} {what}"
            );
        }
        assert!(check_ssh_destination("ci@[::1]").is_ok());
        assert!(check_ssh_destination("::1").is_ok());
        assert!(check_ssh_destination("bastion_alias").is_ok());
        for bad in [
            "",
            "@host",
            "ci@",
            "a b",
            "ci@host name",
            "-F/etc/x",
            "ci@-host",
        ] {
            assert!(check_ssh_destination(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fleets_only_on_the_actual_side() {
        let text = "[targets.a]\nurl = \"postgres://x/y\"\ndatabases = \"t_*\"\n\
                    [targets.b]\nsql = \"x.sql\"\ndatabases = [\"q\"]\n\
                    [[check]]\nexpected = \"a\"\nactual = \"a\"\n";
        let msgs = messages(text);
        assert!(
            msgs.iter()
                .any(|m| m.contains(":6:13:") && m.contains("needs a `url`")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains(":8:12:") && m.contains("only be on the `actual` side")),
            "{msgs:#?}"
        );
    }
}
