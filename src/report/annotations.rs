//! GitHub Actions annotations: `::error file=...,line=...,title=...::message` workflow
//! commands, one line each. GitHub shows at most 10 annotations of each level per step, so past
//! that one line at the level says how many more there are. Names are shown through `visible`
//! first: the runner prints an annotation's text in the log, where ESC sequences and bidi
//! overrides would act; the workflow-command encoding then takes care of line breaks.

use std::fmt::Write;

use super::{Context, Location, describe, truncate, visible, visible_block};
use crate::evaluate::Outcome;
use crate::rules::Severity;

/// GitHub's per-step limit for each of error, warning and notice.
pub const PER_LEVEL: usize = 10;
const MAX_MESSAGE: usize = 4000;

struct Annotation {
    level: &'static str,
    location: Option<Location>,
    title: String,
    message: String,
}

pub fn render(ctx: &Context) -> String {
    let mut all = Vec::new();
    for check in &ctx.verdict.checks {
        if let Outcome::Failed { errors } = &check.outcome {
            all.push(Annotation {
                level: "error",
                location: ctx.check_location(check),
                title: format!("pgdrift: check {} could not run", visible(&check.name)),
                message: visible_block(&errors.join("\n")),
            });
        }
    }
    // A waived finding is accepted; annotating it would only hide the ones that count.
    for item in ctx.items().iter().filter(|i| i.judged.waiver.is_none()) {
        let f = &item.judged.finding;
        all.push(Annotation {
            level: level(item.judged.severity),
            location: ctx.item_location(item),
            title: format!("pgdrift {}: {}", f.rule, visible(&f.object)),
            message: visible_block(&format!("[{}] {}", item.check_name(), describe(f))),
        });
    }
    let mut out = String::new();
    for level in ["error", "warning", "notice"] {
        let of_level: Vec<&Annotation> = all.iter().filter(|a| a.level == level).collect();
        let shown = if of_level.len() > PER_LEVEL {
            PER_LEVEL - 1
        } else {
            of_level.len()
        };
        for a in &of_level[..shown] {
            let mut props = Vec::new();
            if let Some(loc) = &a.location {
                props.push(format!("file={}", property(&ctx.display_path(&loc.path))));
                props.push(format!("line={}", loc.line.max(1)));
            }
            props.push(format!("title={}", property(&a.title)));
            let _ = writeln!(
                out,
                "::{level} {}::{}",
                props.join(","),
                data(&truncate(&a.message, MAX_MESSAGE))
            );
        }
        let rest = of_level.len() - shown;
        if rest > 0 {
            let noun = match level {
                "error" => "errors",
                "warning" => "warnings",
                _ => "notices",
            };
            let _ = writeln!(
                out,
                "::{level} title=pgdrift::{rest} more {noun} are not shown as annotations \
                 (GitHub shows {PER_LEVEL} per step); the job summary and the reports list them all"
            );
        }
    }
    out
}

/// Every finding (and check that could not run) as `file:line: level: message` on one line,
/// the form compilers print and problem matchers, editors and `grep` read.
pub fn render_lines(ctx: &Context) -> String {
    let mut out = String::new();
    let at = |location: Option<Location>| match location {
        Some(loc) => format!("{}:{}", ctx.display_path(&loc.path), loc.line.max(1)),
        None => "schema-policy.toml:1".to_string(),
    };
    for check in &ctx.verdict.checks {
        if let Outcome::Failed { errors } = &check.outcome {
            for e in errors {
                let _ = writeln!(
                    out,
                    "{}: error: check {} could not run: {}",
                    at(ctx.check_location(check)),
                    visible(&check.name),
                    visible(e)
                );
            }
        }
    }
    for item in ctx.items().iter().filter(|i| i.judged.waiver.is_none()) {
        let f = &item.judged.finding;
        let _ = writeln!(
            out,
            "{}: {}: {} {}: {} [{}]",
            at(ctx.item_location(item)),
            item.judged.severity.as_str(),
            f.rule,
            visible(&f.object),
            visible(&super::brief(f)),
            visible(item.check_name())
        );
    }
    out
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note | Severity::Ignore => "notice",
    }
}

/// Escape a command's message as the runner unescapes it.
pub fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value: as data, and `:` and `,`, which end a value.
pub fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_expects() {
        assert_eq!(data("50%\r\nok"), "50%25%0D%0Aok");
        assert_eq!(property("a:b,c%0A"), "a%3Ab%2Cc%250A");
    }
}
