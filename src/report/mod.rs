//! Reports: render a verdict for people and for machines, and write report files atomically.
//! Every format is rendered from the same `Verdict` through one `Context`; one module per
//! format, and `render` is the one entry point that picks the module.

pub mod annotations;
pub mod codequality;
pub mod history;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod rdjson;
pub mod redact;
pub mod sarif;
pub mod table_map;
pub mod terminal;
pub mod visible;

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

pub use crate::fs::write_atomic;
pub use crate::policy::outputs::{AnnotationStyle, Format, Outputs};
pub use visible::{visible, visible_block};

use crate::diff::{Finding, ObjectKind};
use crate::evaluate::{CheckVerdict, Judged, Status, Verdict};
use crate::model::Schema;
use crate::rules::Severity;

/// A place in a file: what SARIF, Code Quality, JUnit and annotations point at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// 1-based.
    pub line: u32,
}

/// Where a finding's object is defined (the SQL file and line that created it), when known.
pub type Locate<'a> = &'a (dyn Fn(&CheckVerdict, &Finding) -> Option<Location> + Sync);

/// A foreign key: table `from` references table `to`. Names are qualified and quoted as in
/// findings (`public.orders`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Relation {
    pub from: String,
    pub to: String,
    /// The constraint's name.
    pub name: String,
}

/// Foreign keys per target name, for the HTML report's picture of the drift.
pub type Relations = BTreeMap<String, Vec<Relation>>;

/// Every foreign key of a schema, sorted.
pub fn foreign_keys(schema: &Schema) -> Vec<Relation> {
    let mut out = Vec::new();
    for (ns_name, ns) in &schema.schemas {
        for (table_name, table) in &ns.tables {
            for (name, c) in &table.constraints {
                if c.kind != crate::model::ConstraintKind::ForeignKey {
                    continue;
                }
                if let Some(to) = referenced_table(&c.definition) {
                    out.push(Relation {
                        from: crate::model::qualified(ns_name, table_name),
                        to,
                        name: name.clone(),
                    });
                }
            }
        }
    }
    out.sort();
    out
}

/// `public.customers` from `FOREIGN KEY (customer_id) REFERENCES public.customers(id)`.
/// The server deparses with an empty `search_path`, so the name is qualified and quoted the way
/// findings name tables.
fn referenced_table(definition: &str) -> Option<String> {
    let start = definition.find(" REFERENCES ")? + " REFERENCES ".len();
    let rest = &definition[start..];
    let mut end = 0;
    let mut quoted = false;
    let bytes = rest.as_bytes();
    while end < bytes.len() {
        let b = bytes[end];
        if b == b'"' {
            quoted = !quoted; // a doubled quote toggles twice: still inside
        } else if !quoted && (b == b'(' || b == b' ') {
            break;
        }
        end += 1;
    }
    let name = rest[..end].trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Everything a renderer needs: the verdict and where things are.
pub struct Context<'a> {
    pub verdict: &'a Verdict,
    pub status: Status,
    /// Findings at or above this severity violate the policy (JUnit failures, headline).
    pub fail_on: Severity,
    /// The policy file as the user named it: the fallback location of every finding.
    pub policy: Option<&'a Path>,
    /// Report paths are written relative to this folder: the repository root, as CI systems
    /// read paths (`GITHUB_WORKSPACE`, `CI_PROJECT_DIR`, the git top level; see [`repo_root`]).
    pub base: Option<&'a Path>,
    /// The run's working directory, against which relative paths (as the user typed them)
    /// are resolved before they are made relative to `base`.
    pub cwd: Option<&'a Path>,
    /// Foreign keys per target name (HTML graph).
    pub relations: Option<&'a Relations>,
    /// Source locations of objects, when known.
    pub locate: Option<Locate<'a>>,
    /// Waived findings in SARIF too (`[report] sarif_waived`).
    pub sarif_waived: bool,
    /// Where the rule reference is published (`PGDRIFT_DOCS_URL`): SARIF rules get a
    /// `helpUri` to their section.
    pub docs_url: Option<&'a str>,
}

/// A finding with the check it came from; `None` for findings about the policy file itself.
#[derive(Clone, Copy)]
pub struct Item<'v> {
    pub check: Option<&'v CheckVerdict>,
    pub judged: &'v Judged,
}

impl Item<'_> {
    /// The check's name, or `policy` for findings about the policy file.
    pub fn check_name(&self) -> &str {
        self.check.map_or("policy", |c| c.name.as_str())
    }

    /// Stable across runs: the same finding in the same check gets the same value.
    pub fn fingerprint(&self) -> String {
        let f = &self.judged.finding;
        fingerprint(&[self.check_name(), f.rule.as_str(), &f.object])
    }
}

impl<'a> Context<'a> {
    pub fn new(verdict: &'a Verdict) -> Context<'a> {
        Context {
            verdict,
            status: verdict.status(),
            fail_on: verdict.fail_on,
            policy: None,
            base: None,
            cwd: None,
            relations: None,
            locate: None,
            sarif_waived: false,
            docs_url: None,
        }
    }

    /// Every finding that is not ignored: the checks' in verdict order, then the policy's.
    pub fn items(&self) -> Vec<Item<'a>> {
        let mut out: Vec<Item<'a>> = self
            .verdict
            .checks
            .iter()
            .flat_map(|c| {
                shown(c).map(move |j| Item {
                    check: Some(c),
                    judged: j,
                })
            })
            .collect();
        out.extend(
            self.verdict
                .policy_findings
                .iter()
                .filter(|j| j.severity != Severity::Ignore)
                .map(|j| Item {
                    check: None,
                    judged: j,
                }),
        );
        out
    }

    /// Where an item points: its object's definition, the check's line, or for a finding about
    /// the policy the line of the policy entry.
    pub fn item_location(&self, item: &Item) -> Option<Location> {
        match item.check {
            Some(check) => self.location(check, &item.judged.finding),
            None => self.policy.map(|p| Location {
                path: p.to_path_buf(),
                line: policy_entry_line(&item.judged.finding).unwrap_or(1).max(1),
            }),
        }
    }

    /// Where the finding's object is defined, or else the policy file at the line of the check.
    pub fn location(&self, check: &CheckVerdict, finding: &Finding) -> Option<Location> {
        self.source_location(check, finding)
            .or_else(|| self.check_location(check))
    }

    /// The SQL file and line that define the finding's object, when known.
    pub fn source_location(&self, check: &CheckVerdict, finding: &Finding) -> Option<Location> {
        self.locate.and_then(|f| f(check, finding))
    }

    /// The policy file at the line of the check (line 1 when the line is unknown).
    pub fn check_location(&self, check: &CheckVerdict) -> Option<Location> {
        self.policy.map(|p| Location {
            path: p.to_path_buf(),
            line: check.policy_line.unwrap_or(1).max(1),
        })
    }

    /// A path as reports print it: relative to `base` when inside it, with forward slashes.
    pub fn display_path(&self, path: &Path) -> String {
        let resolved;
        let path = match self.cwd {
            Some(cwd) if path.is_relative() && self.base.is_some() => {
                resolved = lexically_normal(&cwd.join(path));
                resolved.as_path()
            }
            _ => path,
        };
        let rel = match self.base {
            Some(base) if path.is_absolute() => path.strip_prefix(base).unwrap_or(path),
            _ => path,
        };
        let mut parts: Vec<String> = Vec::new();
        let mut absolute = false;
        for c in rel.components() {
            match c {
                Component::RootDir => absolute = true,
                Component::CurDir => {}
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::ParentDir => parts.push("..".into()),
                Component::Prefix(p) => parts.push(p.as_os_str().to_string_lossy().into_owned()),
            }
        }
        let joined = parts.join("/");
        if absolute {
            format!("/{joined}")
        } else {
            joined
        }
    }

    /// Foreign keys known for the check's two targets, deduplicated.
    pub fn relations_of(&self, check: &CheckVerdict) -> Vec<&'a Relation> {
        let Some(all) = self.relations else {
            return Vec::new();
        };
        let mut out: Vec<&Relation> = [&check.expected, &check.actual]
            .into_iter()
            .filter_map(|t| all.get(t.as_str()))
            .flatten()
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// `a/b/../c/./d` as `a/c/d`, without touching the file system (the path may not exist).
fn lexically_normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The folder report paths are relative to: the repository root, as CI systems read paths.
/// `GITHUB_WORKSPACE` or `CI_PROJECT_DIR` when the working directory is inside it, else the
/// nearest folder above it holding `.git`, else the working directory itself.
pub fn repo_root(cwd: &Path, env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    for var in ["GITHUB_WORKSPACE", "CI_PROJECT_DIR"] {
        if let Some(root) = env(var).filter(|v| !v.is_empty()) {
            let root = lexically_normal(Path::new(&root));
            if cwd.starts_with(&root) {
                return root;
            }
        }
    }
    cwd.ancestors()
        .find(|dir| dir.join(".git").exists())
        .unwrap_or(cwd)
        .to_path_buf()
}

/// Render one report.
pub fn render(format: Format, ctx: &Context) -> String {
    match format {
        Format::Json => json::render(ctx.verdict, ctx.status),
        Format::Junit => junit::render(ctx),
        Format::Sarif => sarif::render(ctx),
        Format::Markdown => markdown::render(ctx),
        Format::CodeQuality => codequality::render(ctx),
        Format::Rdjson => rdjson::render(ctx),
        Format::Html => html::render(ctx),
    }
}

/// Render and write every report `outputs` asks for, each atomically; creates `output_dir`.
/// Keeps going after a failure, so one unwritable path does not cost the other reports.
/// Returns the files written, or one message per failure.
pub fn write_all(outputs: &Outputs, ctx: &Context) -> Result<Vec<(Format, PathBuf)>, Vec<String>> {
    let targets = outputs.resolve().map_err(|e| vec![e])?;
    if let Some(dir) = &outputs.output_dir
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return Err(vec![format!(
            "cannot create the report folder {}: {e}",
            dir.display()
        )]);
    }
    let results = render_and_write(targets, ctx);
    let mut errors = Vec::new();
    let mut written = Vec::new();
    for (format, path, result) in results {
        match result {
            Ok(()) => written.push((format, path)),
            Err(e) => errors.push(format!(
                "cannot write the {} report to {}: {e}",
                format.name(),
                path.display()
            )),
        }
    }
    if errors.is_empty() {
        Ok(written)
    } else {
        Err(errors)
    }
}

/// Render each report on a thread of its own and write it to its file there; the ones for
/// standard output are written here afterwards, in the order asked for, so they never
/// interleave. At a thousand tables the reports are half a megabyte and took a tenth of a
/// check's CPU, one after another. Where no thread can be started, the report is made here.
fn render_and_write(
    targets: Vec<(Format, PathBuf)>,
    ctx: &Context,
) -> Vec<(Format, PathBuf, std::io::Result<()>)> {
    enum Made {
        Written(std::io::Result<()>),
        ForStdout(String),
    }
    let make = |format: Format, path: &Path| {
        let text = render(format, ctx);
        if crate::fs::is_stdout(path) {
            Made::ForStdout(text)
        } else {
            Made::Written(write_atomic(path, &text))
        }
    };
    std::thread::scope(|scope| {
        let jobs: Vec<_> = (targets.into_iter())
            .map(|(format, path)| {
                let job = std::thread::Builder::new()
                    .name(format!("report {}", format.name()))
                    .spawn_scoped(scope, {
                        let path = path.clone();
                        move || make(format, &path)
                    })
                    .map_err(|_| make(format, &path));
                (format, path, job)
            })
            .collect();
        (jobs.into_iter())
            .map(|(format, path, job)| {
                let made = match job {
                    Ok(thread) => thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    Err(made) => made,
                };
                let result = match made {
                    Made::Written(result) => result,
                    Made::ForStdout(text) => write_atomic(&path, &text),
                };
                (format, path, result)
            })
            .collect()
    })
}

/// A top-level object of a check (a table with its columns, constraints and indexes; a view; a
/// function; ...) with its findings that are not ignored.
pub struct ObjectReport<'v> {
    pub kind: ObjectKind,
    pub name: &'v str,
    pub findings: Vec<&'v Judged>,
}

impl ObjectReport<'_> {
    /// The most severe finding's severity, if any.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|j| j.severity).max()
    }
}

/// Every compared object of a check, sorted by kind and name, each with its findings. Findings
/// whose object was not in the compared list (a schema present on one side only) get an entry
/// of their own, so nothing is dropped.
pub fn objects(check: &CheckVerdict) -> Vec<ObjectReport<'_>> {
    let mut map: BTreeMap<(ObjectKind, &str), Vec<&Judged>> = BTreeMap::new();
    for c in check.compared() {
        map.entry((c.kind, c.name.as_str())).or_default();
    }
    for j in shown(check) {
        map.entry((j.finding.group_kind, j.finding.group.as_str()))
            .or_default()
            .push(j);
    }
    map.into_iter()
        .map(|((kind, name), findings)| ObjectReport {
            kind,
            name,
            findings,
        })
        .collect()
}

/// The findings of a check that are not ignored, in verdict order.
pub fn shown(check: &CheckVerdict) -> impl Iterator<Item = &Judged> {
    check
        .findings()
        .iter()
        .filter(|j| j.severity != Severity::Ignore)
}

/// A finding in one paragraph of plain text: its message, then the expected and actual values
/// (each on lines of its own when long or multi-line).
pub fn describe(f: &Finding) -> String {
    let mut out = f.message.clone();
    let short = |v: &str| v.len() <= 60 && !v.contains(['\n', '\r']);
    match (f.expected.as_deref(), f.actual.as_deref()) {
        (Some(e), Some(a)) if short(e) && short(a) => {
            out.push_str(&format!(" (expected: {e}; actual: {a})"));
        }
        (e, a) => {
            if let Some(e) = e {
                out.push_str(&format!("\nexpected:\n{e}"));
            }
            if let Some(a) = a {
                out.push_str(&format!("\nactual:\n{a}"));
            }
        }
    }
    out
}

/// A finding on one line: its message, and the expected and actual values when they are short
/// enough to read inline. Line breaks (object names can hold them) are shown as `\\n`.
pub fn brief(f: &Finding) -> String {
    let short = |v: &str| v.len() <= 60 && !v.contains(['\n', '\r']);
    let mut out = f.message.clone();
    match (f.expected.as_deref(), f.actual.as_deref()) {
        (Some(e), Some(a)) if short(e) && short(a) => {
            out.push_str(&format!(" (expected: {e}; actual: {a})"));
        }
        (Some(e), None) if short(e) => out.push_str(&format!(" (expected: {e})")),
        (None, Some(a)) if short(a) => out.push_str(&format!(" (actual: {a})")),
        _ => {}
    }
    out.replace("\r\n", "\\n")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

/// Lines of expected against actual: `(' ' | '-' | '+', line)`, `-` expected and `+` actual.
pub fn line_diff(expected: &str, actual: &str) -> Vec<(char, String)> {
    let diff = similar::TextDiff::from_lines(expected, actual);
    diff.iter_all_changes()
        .map(|c| {
            let tag = match c.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => ' ',
            };
            (tag, c.value().trim_end_matches(['\n', '\r']).to_string())
        })
        .collect()
}

/// The line of a finding about the policy file: its group is `policy line N`.
fn policy_entry_line(f: &Finding) -> Option<u32> {
    f.group.strip_prefix("policy line ")?.trim().parse().ok()
}

/// `waived until 2027-01-01: reason`, for a finding a waiver accepts.
pub fn waiver_text(j: &Judged) -> Option<String> {
    j.waiver.as_ref().map(|w| match &w.expires {
        Some(date) => format!("waived until {date}: {}", w.reason),
        None => format!("waived: {}", w.reason),
    })
}

/// A stable 64-bit FNV-1a hash of the parts (each followed by a 0 byte, so `("ab","c")` and
/// `("a","bc")` differ), as 16 hex digits. Fingerprints must not change between Rust versions
/// or runs, which rules out `DefaultHasher`.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// Cut `s` to at most `max` bytes on a character boundary, marking the cut with `…`.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max.saturating_sub('…'.len_utf8());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old").expect("write");
        write_atomic(&path, "new").expect("atomic write");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn devices_are_written_in_place_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        write_atomic(Path::new("/dev/null"), "discarded").expect("write to /dev/null");
        let meta = std::fs::metadata("/dev/null").expect("stat");
        assert!(
            meta.file_type().is_char_device(),
            "/dev/null must stay a device"
        );
    }

    #[test]
    fn atomic_write_into_missing_folder_fails_cleanly() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("nope").join("report.json");
        assert!(write_atomic(&path, "x").is_err());
        assert!(!path.exists());
    }

    #[test]
    fn outputs_resolve_named_paths_over_the_output_dir() {
        let outputs = Outputs {
            sarif: Some("custom.sarif".into()),
            output_dir: Some("out".into()),
            ..Outputs::default()
        };
        let resolved = outputs.resolve().expect("resolve");
        assert_eq!(resolved.len(), 7);
        assert!(resolved.contains(&(Format::Sarif, PathBuf::from("custom.sarif"))));
        assert!(resolved.contains(&(Format::Junit, PathBuf::from("out/pgdrift.junit.xml"))));

        let none = Outputs::default().resolve().expect("resolve");
        assert!(none.is_empty());
    }

    #[test]
    fn only_one_report_on_stdout() {
        let outputs = Outputs {
            json: Some("-".into()),
            sarif: Some("-".into()),
            ..Outputs::default()
        };
        let err = outputs.resolve().expect_err("two on stdout");
        assert!(err.contains("json and sarif"), "{err}");
        assert!(outputs.uses_stdout());
    }

    #[test]
    fn command_line_outputs_win_over_the_policy() {
        let cli = Outputs {
            json: Some("a.json".into()),
            ..Outputs::default()
        };
        let policy = Outputs {
            json: Some("b.json".into()),
            html: Some("b.html".into()),
            annotations: Some(AnnotationStyle::None),
            ..Outputs::default()
        };
        let merged = cli.or(policy);
        assert_eq!(merged.json, Some("a.json".into()));
        assert_eq!(merged.html, Some("b.html".into()));
        assert_eq!(merged.annotations, Some(AnnotationStyle::None));
    }

    #[test]
    fn annotations_default_to_github_on_github_actions() {
        let on = |name: &str| (name == "GITHUB_ACTIONS").then(|| "true".to_string());
        let off = |_: &str| None;
        assert_eq!(
            Outputs::default().annotation_style(&on),
            AnnotationStyle::Github
        );
        assert_eq!(
            Outputs::default().annotation_style(&off),
            AnnotationStyle::None
        );
        let explicit = Outputs {
            annotations: Some(AnnotationStyle::None),
            ..Outputs::default()
        };
        assert_eq!(explicit.annotation_style(&on), AnnotationStyle::None);
    }

    #[test]
    fn fingerprints_are_fixed_values() {
        // Pinned: a change here moves every alert in code scanning.
        assert_eq!(fingerprint(&[]), "cbf29ce484222325");
        assert_eq!(fingerprint(&["a"]), fingerprint(&["a"]));
        assert_ne!(fingerprint(&["ab", "c"]), fingerprint(&["a", "bc"]));
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate("abc", 10), "abc");
        let cut = truncate("ééééé", 6);
        assert!(cut.len() <= 6, "{cut}");
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn referenced_tables_from_definitions() {
        assert_eq!(
            referenced_table(
                "FOREIGN KEY (customer_id) REFERENCES public.customers(id) ON DELETE CASCADE"
            )
            .as_deref(),
            Some("public.customers")
        );
        assert_eq!(
            referenced_table(r#"FOREIGN KEY (a) REFERENCES "my schema"."Order (x)"(id)"#)
                .as_deref(),
            Some(r#""my schema"."Order (x)""#)
        );
        assert_eq!(referenced_table("CHECK ((a > 0))"), None);
    }

    #[test]
    fn display_paths_are_relative_with_forward_slashes() {
        let verdict = Verdict::default();
        let mut ctx = Context::new(&verdict);
        let base = PathBuf::from("/repo");
        ctx.base = Some(&base);
        assert_eq!(
            ctx.display_path(Path::new("/repo/db/policy.toml")),
            "db/policy.toml"
        );
        assert_eq!(
            ctx.display_path(Path::new("./db/policy.toml")),
            "db/policy.toml"
        );
        assert_eq!(
            ctx.display_path(Path::new("/elsewhere/p.toml")),
            "/elsewhere/p.toml"
        );
        // Run from a subfolder: a path typed relative to it is shown from the root.
        let cwd = PathBuf::from("/repo/services/api");
        ctx.cwd = Some(&cwd);
        assert_eq!(
            ctx.display_path(Path::new("db/schema-policy.toml")),
            "services/api/db/schema-policy.toml"
        );
        assert_eq!(
            ctx.display_path(Path::new("../../db/0001.sql")),
            "db/0001.sql"
        );
        // Outside the repository: absolute.
        assert_eq!(
            ctx.display_path(Path::new("../../../tmp/x.sql")),
            "/tmp/x.sql"
        );
    }

    #[test]
    fn the_repository_root_comes_from_ci_or_git() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        std::fs::create_dir_all(root.join(".git")).expect(".git");
        std::fs::create_dir_all(root.join("a/b")).expect("sub");
        let sub = root.join("a/b");
        let none = |_: &str| None;
        assert_eq!(repo_root(&sub, &none), root);
        let ws = root.join("a").display().to_string();
        let github = |v: &str| (v == "GITHUB_WORKSPACE").then(|| ws.clone());
        assert_eq!(repo_root(&sub, &github), root.join("a"));
        // A workspace the run is not inside does not count.
        let elsewhere = |v: &str| (v == "CI_PROJECT_DIR").then(|| "/nowhere".to_string());
        assert_eq!(repo_root(&sub, &elsewhere), root);
        let outside = tempfile::tempdir().expect("tempdir");
        assert_eq!(repo_root(outside.path(), &none), outside.path());
    }
}
