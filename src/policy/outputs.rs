//! Which reports to write and where: plain configuration, filled from the policy's `[report]`
//! table and from command-line flags. The report stage renders them; this module only names
//! them, so the policy does not depend on the reports.

use std::path::PathBuf;

use serde::Deserialize;

use crate::fs::is_stdout;

/// A machine-readable report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Json,
    Junit,
    Sarif,
    Markdown,
    CodeQuality,
    Html,
    Rdjson,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Json,
        Format::Junit,
        Format::Sarif,
        Format::Markdown,
        Format::CodeQuality,
        Format::Html,
        Format::Rdjson,
    ];

    /// The name of the format as flags and the policy's `[report]` table spell it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::CodeQuality => "codequality",
            Format::Html => "html",
            Format::Rdjson => "rdjson",
        }
    }

    /// The file name used under `--output-dir`.
    pub fn default_file_name(self) -> &'static str {
        match self {
            Format::Json => "pgdrift.json",
            Format::Junit => "pgdrift.junit.xml",
            Format::Sarif => "pgdrift.sarif",
            Format::Markdown => "pgdrift.md",
            Format::CodeQuality => "pgdrift.codequality.json",
            Format::Html => "pgdrift.html",
            Format::Rdjson => "pgdrift.rdjson",
        }
    }
}

/// Whether to print CI annotations (workflow commands) for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationStyle {
    /// GitHub Actions workflow commands (`::error file=...::message`).
    Github,
    /// One line per finding, `file:line: error: rule object: message`, for problem matchers,
    /// editors and grep; every finding, no per-step limit.
    Lines,
    None,
}

/// Which reports to write and where: filled from command-line flags and from the policy's
/// `[report]` table. A path of `-` means standard output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outputs {
    pub json: Option<PathBuf>,
    pub junit: Option<PathBuf>,
    pub sarif: Option<PathBuf>,
    pub markdown: Option<PathBuf>,
    pub codequality: Option<PathBuf>,
    pub html: Option<PathBuf>,
    pub rdjson: Option<PathBuf>,
    /// Every format not named explicitly goes here, under `Format::default_file_name`.
    pub output_dir: Option<PathBuf>,
    /// `None`: GitHub annotations when `GITHUB_ACTIONS=true`, none otherwise.
    pub annotations: Option<AnnotationStyle>,
    /// Put waived findings into SARIF too (as suppressed results). Off by default: GitHub code
    /// scanning ignores suppressions and would open them as alerts, and Code Quality leaves
    /// them out as well.
    pub sarif_waived: Option<bool>,
}

impl Outputs {
    pub fn path(&self, format: Format) -> Option<&PathBuf> {
        match format {
            Format::Json => self.json.as_ref(),
            Format::Junit => self.junit.as_ref(),
            Format::Sarif => self.sarif.as_ref(),
            Format::Markdown => self.markdown.as_ref(),
            Format::CodeQuality => self.codequality.as_ref(),
            Format::Html => self.html.as_ref(),
            Format::Rdjson => self.rdjson.as_ref(),
        }
    }

    /// Each field from `self`, or else from `fallback` (command line over policy).
    pub fn or(self, fallback: Outputs) -> Outputs {
        Outputs {
            json: self.json.or(fallback.json),
            junit: self.junit.or(fallback.junit),
            sarif: self.sarif.or(fallback.sarif),
            markdown: self.markdown.or(fallback.markdown),
            codequality: self.codequality.or(fallback.codequality),
            html: self.html.or(fallback.html),
            rdjson: self.rdjson.or(fallback.rdjson),
            output_dir: self.output_dir.or(fallback.output_dir),
            annotations: self.annotations.or(fallback.annotations),
            sarif_waived: self.sarif_waived.or(fallback.sarif_waived),
        }
    }

    /// Every report to write, in `Format::ALL` order: the named paths, and for every other
    /// format a default name under `output_dir`. At most one report may go to standard output.
    pub fn resolve(&self) -> Result<Vec<(Format, PathBuf)>, String> {
        let mut out = Vec::new();
        for format in Format::ALL {
            if let Some(path) = self.path(format) {
                out.push((format, path.clone()));
            } else if let Some(dir) = &self.output_dir {
                out.push((format, dir.join(format.default_file_name())));
            }
        }
        let to_stdout: Vec<&str> = out
            .iter()
            .filter(|(_, p)| is_stdout(p))
            .map(|(f, _)| f.name())
            .collect();
        if to_stdout.len() > 1 {
            return Err(format!(
                "only one report can go to standard output (`-`), but {} were asked to",
                to_stdout.join(" and ")
            ));
        }
        Ok(out)
    }

    /// Whether some report goes to standard output.
    pub fn uses_stdout(&self) -> bool {
        Format::ALL
            .iter()
            .any(|f| self.path(*f).is_some_and(|p| is_stdout(p)))
    }

    /// The annotation style in effect, looking at `GITHUB_ACTIONS` through `env` when unset.
    pub fn annotation_style(&self, env: &dyn Fn(&str) -> Option<String>) -> AnnotationStyle {
        self.annotations.unwrap_or_else(|| {
            if env("GITHUB_ACTIONS").as_deref() == Some("true") {
                AnnotationStyle::Github
            } else {
                AnnotationStyle::None
            }
        })
    }
}
