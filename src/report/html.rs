//! The HTML report: one self-contained file (inline CSS, a few lines of inline JavaScript, an
//! inline SVG; a Content-Security-Policy that forbids every network request) to open from a CI
//! artifact. Summary cards, a filterable table of findings shown a page at a time, expected
//! and actual side by side per object, and a picture of the drift: the drifted tables and their
//! foreign-key neighbours. A mass difference (tens of thousands of findings) stays usable: every
//! row is in the page and the filter searches them all, but only one page of them is laid out,
//! and the objects start collapsed.
//! Every piece of schema text goes through `esc`, which also shows bidirectional controls as
//! `[U+202E]` rather than obeying them, and names sit in `<bdi>` so right-to-left text in them
//! cannot reorder the page around them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use similar::{DiffOp, TextDiff};

use super::table_map::{self, CSS as MAP_CSS, SCRIPT as MAP_SCRIPT};
use super::visible::is_hostile;
use super::{Context, ObjectReport, objects, referenced_table, shown, visible, waiver_text};
use crate::diff::ObjectKind;
use crate::evaluate::{CheckVerdict, Judged, Outcome, Status};
use crate::rules::Severity;

/// Past this many tables the map is left to the lists below it (the page stays small); the
/// drifted tables come first.
const MAX_NODES: usize = 500;

/// Rows of the findings table shown at a time; the rest are in the page, `hidden`, for the
/// filter and the page buttons.
const PAGE_ROWS: usize = 500;

/// Up to this many findings the objects' details start open; past it they start collapsed, and
/// a link to one (from the table or the map) opens it.
const OPEN_UP_TO: usize = 500;

pub fn render(ctx: &Context) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let t = ctx.verdict.totals();
    let title = match ctx.status {
        Status::Clean => "no policy violations",
        Status::Violations => "policy violated",
        Status::Incomplete => "could not finish",
    };
    let _ = write!(
        out,
        "{}<body data-status=\"{}\">\n<header>\n<h1>pgdrift: {title}</h1>\n",
        document_head(title, &format!("{CSS}{MAP_CSS}"), &format!("{NOSCRIPT}\n")),
        status_name(ctx.status)
    );
    let _ = writeln!(
        out,
        "<p>pgdrift {}</p>\n</header>",
        env!("CARGO_PKG_VERSION")
    );

    // Summary cards.
    let share = if t.objects_compared == 0 {
        0.0
    } else {
        100.0 * t.objects_drifted as f64 / t.objects_compared as f64
    };
    out.push_str("<section class=\"cards\">\n");
    let mut card = |n: String, label: &str, class: &str| {
        let _ = writeln!(
            out,
            "<div class=\"card {class}\"><span class=\"n\">{n}</span><span class=\"l\">{label}</span></div>"
        );
    };
    card(t.checks.to_string(), "checks", "");
    if t.checks_failed > 0 {
        card(t.checks_failed.to_string(), "could not run", "error");
    }
    card(t.objects_compared.to_string(), "objects compared", "");
    card(
        format!("{} <small>({share:.1}%)</small>", t.objects_drifted),
        "drifted",
        if t.objects_drifted > 0 { "warning" } else { "" },
    );
    card(
        t.count(Severity::Error).to_string(),
        "errors",
        if t.count(Severity::Error) > 0 {
            "error"
        } else {
            ""
        },
    );
    card(
        t.count(Severity::Warning).to_string(),
        "warnings",
        if t.count(Severity::Warning) > 0 {
            "warning"
        } else {
            ""
        },
    );
    card(t.count(Severity::Note).to_string(), "notes", "");
    if t.waived > 0 {
        card(t.waived.to_string(), "waived", "");
    }
    out.push_str("</section>\n");

    // Checks that could not run.
    for check in &ctx.verdict.checks {
        if let Outcome::Failed { errors } = &check.outcome {
            let _ = writeln!(
                out,
                "<section class=\"failed\"><h2>Check <bdi>{}</bdi> could not run</h2>\n<pre>{}</pre></section>",
                esc(&check.name),
                esc(&errors.join("\n"))
            );
        }
    }

    graphs(&mut out, ctx);
    findings_table(&mut out, ctx);
    object_details(&mut out, ctx);

    let _ = write!(
        out,
        "<script>{SCRIPT}{MAP_SCRIPT}</script>\n</body>\n</html>\n"
    );
    out
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Clean => "clean",
        Status::Violations => "violations",
        Status::Incomplete => "incomplete",
    }
}

/// The id of an object's details, for links from the table and the graph.
fn anchor(check: usize, object: usize) -> String {
    format!("obj-{check}-{object}")
}

fn findings_table(out: &mut String, ctx: &Context) {
    let total = ctx.items().len();
    out.push_str("<section id=\"findings\">\n<h2>Findings</h2>\n");
    if total == 0 {
        out.push_str("<p>No findings.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<div class=\"filters\"><input id=\"q\" type=\"search\" placeholder=\"Filter by check, \
         rule, object or message\" aria-label=\"Filter findings\">\n",
    );
    for (value, label) in [
        ("error", "errors"),
        ("warning", "warnings"),
        ("note", "notes"),
    ] {
        let _ = writeln!(
            out,
            "<label><input type=\"checkbox\" class=\"sev\" value=\"{value}\" checked> {label}</label>"
        );
    }
    out.push_str("<span id=\"count\"></span></div>\n");
    pager(out, total);
    let _ = write!(
        out,
        "<table id=\"findings-table\" data-page-rows=\"{PAGE_ROWS}\">\n<thead><tr>\
         <th>Check</th><th>Severity</th><th>Rule</th><th>Object</th><th>Message</th></tr></thead>\n<tbody>\n"
    );
    let mut row = 0;
    for (ci, check) in ctx.verdict.checks.iter().enumerate() {
        for (oi, object) in objects(check).iter().enumerate() {
            for j in &object.findings {
                finding_row(out, &check.name, j, Some(&anchor(ci, oi)), row >= PAGE_ROWS);
                row += 1;
            }
        }
    }
    for item in ctx.items().iter().filter(|i| i.check.is_none()) {
        finding_row(out, "policy", item.judged, None, row >= PAGE_ROWS);
        row += 1;
    }
    out.push_str("</tbody>\n</table>\n");
    pager(out, total);
    out.push_str("<p id=\"none\" hidden>No finding matches the filter.</p>\n</section>\n");
}

/// Previous and next page of the findings table and which rows it shows; hidden while they
/// all fit on one page. The script keeps the text up to date with the filter.
fn pager(out: &mut String, total: usize) {
    let _ = writeln!(
        out,
        "<div class=\"pager\"{}><button type=\"button\" class=\"prev\" disabled>previous</button> \
         <span class=\"rows\">rows 1–{} of {total}</span> \
         <button type=\"button\" class=\"next\">next</button></div>",
        if total <= PAGE_ROWS { " hidden" } else { "" },
        total.min(PAGE_ROWS)
    );
}

/// One row of the findings table. The script searches its cells' text and reads the severity
/// from the second cell, so the row carries no copy of either.
fn finding_row(out: &mut String, check: &str, j: &Judged, link: Option<&str>, hidden: bool) {
    let f = &j.finding;
    let waived = waiver_text(j);
    let object = match link {
        Some(id) => format!("<a href=\"#{id}\"><bdi>{}</bdi></a>", esc(&f.object)),
        None => format!("<bdi>{}</bdi>", esc(&f.object)),
    };
    let message = match &waived {
        Some(w) => format!(
            "{} <span class=\"waived\">{}</span>",
            esc(&f.message),
            esc(w)
        ),
        None => esc(&f.message),
    };
    let _ = writeln!(
        out,
        "<tr class=\"finding {sev}{}\"{}><td><bdi>{}</bdi></td><td>{sev}</td>\
         <td><code>{}</code></td><td>{object}</td><td>{message}</td></tr>",
        if waived.is_some() { " waived" } else { "" },
        if hidden { " hidden" } else { "" },
        esc(check),
        esc(f.rule.as_str()),
        sev = j.severity.as_str(),
    );
}

fn object_details(out: &mut String, ctx: &Context) {
    out.push_str("<section id=\"objects\">\n<h2>Objects</h2>\n");
    let open = ctx.items().len() <= OPEN_UP_TO;
    if !open {
        out.push_str(
            "<p>Collapsed: open an object here, or follow its link from the table or the map.</p>\n",
        );
    }
    for (ci, check) in ctx.verdict.checks.iter().enumerate() {
        let _ = writeln!(
            out,
            "<h3>Check <bdi>{}</bdi> <small>expected <bdi>{}</bdi>, actual <bdi>{}</bdi></small></h3>",
            esc(&check.name),
            esc(&check.expected),
            esc(&check.actual)
        );
        match &check.outcome {
            Outcome::Failed { .. } => {
                out.push_str("<p>The check could not run.</p>\n");
                continue;
            }
            Outcome::Compared { compared, .. } => {
                let all = objects(check);
                let drifted = all.iter().filter(|o| !o.findings.is_empty()).count();
                let _ = writeln!(
                    out,
                    "<p>{} objects compared, {drifted} drifted.</p>",
                    compared.len()
                );
                for (oi, object) in all.iter().enumerate() {
                    if !object.findings.is_empty() {
                        details(out, ctx, check, &anchor(ci, oi), object, open);
                    }
                }
            }
        }
    }
    out.push_str("</section>\n");
}

/// An object's findings in one table: per finding its rule, name and source line, then its
/// expected and actual values side by side. Its message and waiver are in the findings table.
/// The source file is named once when the object's findings share it.
fn details(
    out: &mut String,
    ctx: &Context,
    check: &CheckVerdict,
    id: &str,
    object: &ObjectReport,
    open: bool,
) {
    let worst = object.worst().map(Severity::as_str).unwrap_or("note");
    let _ = writeln!(
        out,
        "<details id=\"{id}\" class=\"object {worst}\"{}><summary>{} <bdi>{}</bdi> \
         <small>{} finding{}</small></summary>",
        if open { " open" } else { "" },
        object.kind.noun(),
        esc(object.name),
        object.findings.len(),
        if object.findings.len() == 1 { "" } else { "s" }
    );
    let located: Vec<Option<(String, u32)>> = object
        .findings
        .iter()
        .map(|j| {
            ctx.source_location(check, &j.finding)
                .map(|loc| (ctx.display_path(&loc.path), loc.line))
        })
        .collect();
    let mut paths = located.iter().flatten().map(|(path, _)| path);
    let shared = match (paths.next(), located.len()) {
        (Some(first), 2..) if located.iter().all(Option::is_some) && paths.all(|p| p == first) => {
            let _ = writeln!(
                out,
                "<p class=\"where\">defined in <code>{}</code></p>",
                esc(first)
            );
            true
        }
        _ => false,
    };
    out.push_str(
        "<table class=\"sbs\"><thead><tr><th>expected</th><th>actual</th></tr></thead><tbody>\n",
    );
    for (j, at) in object.findings.iter().zip(&located) {
        let f = &j.finding;
        let place = match at {
            Some((_, line)) if shared => format!(" <span class=\"where\">line {line}</span>"),
            Some((path, line)) => format!(
                " <span class=\"where\">defined at <code>{}:{line}</code></span>",
                esc(path)
            ),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr class=\"about {}{}\"><th colspan=\"2\"><code>{}</code> <bdi>{}</bdi>{place}</th></tr>",
            j.severity.as_str(),
            if waiver_text(j).is_some() {
                " waived"
            } else {
                ""
            },
            esc(f.rule.as_str()),
            esc(&f.object),
        );
        side_by_side(
            out,
            f.expected.as_deref().unwrap_or(""),
            f.actual.as_deref().unwrap_or(""),
            f.expected.is_some(),
            f.actual.is_some(),
        );
    }
    out.push_str("</tbody></table>\n</details>\n");
}

/// The rows of expected and actual in two columns, changed lines marked, unchanged lines side
/// by side.
fn side_by_side(out: &mut String, expected: &str, actual: &str, has_e: bool, has_a: bool) {
    if !has_e || !has_a {
        let cell = |present: bool, text: &str, class: &str| {
            if present {
                format!("<td class=\"{class}\">{}</td>", esc(text))
            } else {
                "<td class=\"absent\">absent</td>".to_string()
            }
        };
        let _ = writeln!(
            out,
            "<tr>{}{}</tr>",
            cell(has_e, expected, "del"),
            cell(has_a, actual, "ins")
        );
        return;
    }
    let diff = TextDiff::from_lines(expected, actual);
    let line = |s: Option<&str>, class: &str| match s {
        Some(s) => format!(
            "<td class=\"{class}\">{}</td>",
            esc(s.trim_end_matches(['\n', '\r']))
        ),
        None => "<td class=\"gap\"></td>".to_string(),
    };
    for op in diff.ops() {
        let (o, ol, n, nl, class) = match *op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => (old_index, len, new_index, len, ""),
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index, old_len, new_index, 0, "chg"),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index, 0, new_index, new_len, "chg"),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (old_index, old_len, new_index, new_len, "chg"),
        };
        for i in 0..ol.max(nl) {
            let left = (i < ol).then(|| diff.old_slice(o + i)).flatten();
            let right = (i < nl).then(|| diff.new_slice(n + i)).flatten();
            let (lc, rc) = if class.is_empty() {
                ("same", "same")
            } else {
                ("del", "ins")
            };
            let _ = writeln!(out, "<tr>{}{}</tr>", line(left, lc), line(right, rc));
        }
    }
}

/// Per check, the drifted tables and their foreign-key neighbours as an SVG graph.
fn graphs(out: &mut String, ctx: &Context) {
    out.push_str("<section id=\"graph\">\n<h2>Drift map</h2>\n");
    out.push_str(
        "<p class=\"legend\"><span class=\"key drifted\"></span> drifted table \
         <span class=\"key neighbour\"></span> foreign-key neighbour; arrows point from the \
         referencing table to the referenced one.</p>\n",
    );
    for (ci, check) in ctx.verdict.checks.iter().enumerate() {
        if matches!(check.outcome, Outcome::Failed { .. }) {
            continue;
        }
        let all = objects(check);
        let mut drifted: BTreeMap<&str, (usize, Severity)> = BTreeMap::new();
        for (oi, o) in all.iter().enumerate() {
            if o.kind == ObjectKind::Table
                && let Some(worst) = o.worst()
            {
                drifted.insert(o.name, (oi, worst));
            }
        }
        let _ = writeln!(out, "<h3>Check <bdi>{}</bdi></h3>", esc(&check.name));
        if drifted.is_empty() {
            out.push_str("<p>No table drifted.</p>\n");
            continue;
        }
        let edges = edges(ctx, check);
        let mut nodes: Vec<&str> = drifted.keys().copied().collect();
        let mut neighbours: BTreeSet<&str> = BTreeSet::new();
        for (from, to) in &edges {
            if drifted.contains_key(from.as_str()) && !drifted.contains_key(to.as_str()) {
                neighbours.insert(to);
            }
            if drifted.contains_key(to.as_str()) && !drifted.contains_key(from.as_str()) {
                neighbours.insert(from);
            }
        }
        nodes.extend(neighbours.iter().copied());
        let left_out = nodes.len().saturating_sub(MAX_NODES);
        nodes.truncate(MAX_NODES);
        let map_nodes: Vec<table_map::Node> = nodes
            .iter()
            .map(|name| match drifted.get(name) {
                Some((oi, worst)) => table_map::Node {
                    name,
                    class: format!("drifted {}", worst.as_str()),
                    link: Some(format!("#{}", anchor(ci, *oi))),
                },
                None => table_map::Node {
                    name,
                    class: "neighbour".into(),
                    link: None,
                },
            })
            .collect();
        table_map::render(
            out,
            &format!("map-{ci}"),
            "Drifted tables and their foreign-key neighbours",
            &map_nodes,
            &edges,
        );
        sync_order(out, &edges);
        if left_out > 0 {
            let _ = writeln!(
                out,
                "<p>{left_out} more tables are not drawn; the tables below list every drifted object.</p>"
            );
        }
    }
    out.push_str("</section>\n");
}

/// The foreign-key levels and cycles of the tables in the map: the order to sync them in.
fn sync_order(out: &mut String, edges: &BTreeSet<(String, String)>) {
    let mut tables = BTreeSet::new();
    let mut refs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges {
        tables.insert(from.clone());
        tables.insert(to.clone());
        refs.entry(from.clone()).or_default().insert(to.clone());
    }
    if tables.is_empty() {
        return;
    }
    let a = crate::plan::deps::from_edges(&tables, &refs);
    let _ = writeln!(
        out,
        "<details class=\"deps\"><summary>Sync order: {} level{}, {} cycle{}</summary>\n<ol start=\"0\">",
        a.levels.len(),
        if a.levels.len() == 1 { "" } else { "s" },
        a.cycles.len(),
        if a.cycles.len() == 1 { "" } else { "s" }
    );
    for level in &a.levels {
        let names: Vec<String> = level
            .iter()
            .map(|t| format!("<bdi>{}</bdi>", esc(t)))
            .collect();
        let _ = writeln!(out, "<li>{}</li>", names.join(", "));
    }
    out.push_str("</ol>\n");
    for cycle in &a.cycles {
        let names: Vec<String> = cycle
            .iter()
            .map(|t| format!("<bdi>{}</bdi>", esc(t)))
            .collect();
        let _ = writeln!(
            out,
            "<p>Cycle (tables first, foreign keys after): {}</p>",
            names.join(" ↔ ")
        );
    }
    out.push_str("</details>\n");
}

/// Foreign keys of the check's targets, plus those named by constraint findings themselves.
fn edges(ctx: &Context, check: &CheckVerdict) -> BTreeSet<(String, String)> {
    let mut edges: BTreeSet<(String, String)> = ctx
        .relations_of(check)
        .into_iter()
        .map(|r| (r.from.clone(), r.to.clone()))
        .collect();
    for j in shown(check) {
        let f = &j.finding;
        if f.kind != ObjectKind::Constraint {
            continue;
        }
        for def in [&f.expected, &f.actual].into_iter().flatten() {
            if let Some(to) = referenced_table(def) {
                edges.insert((f.group.clone(), to));
            }
        }
    }
    edges.retain(|(from, to)| from != to);
    edges
}

/// Escape text for HTML content and attribute values. Control characters other than line
/// breaks and tabs, and bidirectional and invisible marks, are shown as `\u{1b}` escapes: they
/// are invalid in HTML or would make a name read as another.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Layout of definitions, in cells that keep white space; harmless in a page.
            '\n' | '\t' => out.push(c),
            c if is_hostile(c) => out.push_str(&visible(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// The start of a self-contained page up to `<body>`: a content security policy that allows no
/// network access (inline style and script only, images as `data:`), the title, the page's
/// `css`, and `extra` markup for the head. Shared by the report and the history page.
pub(super) fn document_head(title: &str, css: &str, extra: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>pgdrift: {}</title>\n<style>{css}</style>\n{extra}</head>\n",
        esc(title)
    )
}

const CSS: &str = r#"
:root { color-scheme: light; --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff;
  --soft:#f6f8fa; --error:#cf222e; --warning:#9a6700; --note:#0969da; --del:#ffebe9; --ins:#dafbe1; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; padding: 24px; max-width: 1280px; }
h1 { font-size: 24px; margin: 0; } h2 { margin-top: 32px; border-bottom: 1px solid var(--line); }
header p { color: var(--muted); margin: 4px 0 16px; }
body[data-status="violations"] h1, body[data-status="incomplete"] h1 { color: var(--error); }
body[data-status="clean"] h1 { color: #1a7f37; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 130px;
  background: var(--soft); }
.card .n { display: block; font-size: 26px; font-weight: 600; }
.card .l { color: var(--muted); }
.card.error .n { color: var(--error); } .card.warning .n { color: var(--warning); }
.failed pre, pre { white-space: pre-wrap; word-break: break-word; margin: 0; font: 12px/1.45 ui-monospace, monospace; }
.failed { border-left: 4px solid var(--error); padding: 4px 12px; background: var(--del); }
.filters { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 8px 0; }
#q { flex: 1 1 320px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
#count { color: var(--muted); }
.pager { display: flex; gap: 12px; align-items: center; margin: 8px 0; color: var(--muted); }
.pager[hidden] { display: none; }
.pager button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--soft); color: var(--fg); cursor: pointer; }
.pager button:disabled { color: var(--muted); cursor: default; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); }
tr.finding td:nth-child(4) { white-space: pre-wrap; word-break: break-word; }
tr.finding.waived { opacity: .7; } .waived { color: var(--muted); font-style: italic; }
tr.finding td:nth-child(2) { font-weight: 600; }
tr.finding.error td:nth-child(2) { color: var(--error); }
tr.finding.warning td:nth-child(2) { color: var(--warning); }
tr.finding.note td:nth-child(2) { color: var(--note); }
details.object { border: 1px solid var(--line); border-radius: 8px; margin: 12px 0; padding: 8px 12px; }
details.object.error { border-left: 4px solid var(--error); }
details.object.warning { border-left: 4px solid var(--warning); }
details summary { cursor: pointer; font-weight: 600; white-space: pre-wrap; }
details.object table { margin-top: 8px; }
.where { color: var(--muted); font-weight: normal; }
table.sbs { table-layout: fixed; }
table.sbs td { white-space: pre-wrap; word-break: break-word; font: 12px/1.45 ui-monospace, monospace; }
table.sbs tr.about th { font-weight: normal; white-space: pre-wrap; word-break: break-word;
  border-left: 4px solid var(--note); }
table.sbs tr.about.error th { border-left-color: var(--error); }
table.sbs tr.about.warning th { border-left-color: var(--warning); }
table.sbs tr.about.waived th { opacity: .7; }
table.sbs td.del { background: var(--del); } table.sbs td.ins { background: var(--ins); }
table.sbs td.gap { background: var(--soft); }
table.sbs td.absent { color: var(--muted); font: italic 14px/1.5 system-ui, sans-serif; }
.legend .key { display: inline-block; width: 14px; height: 14px; border-radius: 3px; vertical-align: middle;
  border: 1.5px solid #8c959f; background: #fff; margin-left: 8px; }
.legend .key.drifted { background: var(--del); border-color: var(--error); }
"#;

/// Without scripts every row shows (the page buttons could not work).
const NOSCRIPT: &str = "<noscript><style>tr.finding[hidden] { display: table-row; } \
                        .pager { display: none; }</style></noscript>";

/// Filtering by text and severity, a page of rows at a time. It reads the page and sets
/// `hidden`, `open` and text; it never builds HTML from data, so nothing in a finding can become
/// markup. Each row's search text is read once; typing filters after a pause of `PAUSE_MS`
/// (Enter or leaving the box at once), over every row, and only rows that come onto or leave
/// the page are touched. `#q=text` in the address pre-fills the filter and `#page=N` opens a
/// page (links into the report); a link to an object opens its collapsed details.
const SCRIPT: &str = r##"
(function () {
  "use strict";
  var PAUSE_MS = 150;
  var body = document.body;
  function reveal(id) {
    var el = id ? document.getElementById(id) : null;
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a") : null;
    var href = a ? a.getAttribute("href") : null;
    if (href && href.charAt(0) === "#") { reveal(href.slice(1)); }
  });
  if (/^#obj-/.test(window.location.hash)) { reveal(window.location.hash.slice(1)); }
  var q = document.getElementById("q");
  if (!q) { body.setAttribute("data-ready", "1"); return; }
  var table = document.getElementById("findings-table");
  var size = Number(table.getAttribute("data-page-rows"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.sev"));
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.finding"));
  var pagers = Array.prototype.slice.call(document.querySelectorAll(".pager"));
  var count = document.getElementById("count");
  var none = document.getElementById("none");
  // Read once: what each row is found by (its cells' text) and its severity (second cell).
  var text = rows.map(function (r) {
    return Array.prototype.map.call(r.cells, function (c) { return c.textContent; })
      .join(" ").toLowerCase();
  });
  var severity = rows.map(function (r) { return r.cells[1].textContent; });
  var shown = new Uint8Array(rows.length);
  var onPage = [];
  rows.forEach(function (r, i) { if (!r.hidden) { shown[i] = 1; onPage.push(i); } });
  var matches = [];
  var page = 0;
  function filter() {
    var t = q.value.toLowerCase();
    var wanted = {};
    boxes.forEach(function (b) { wanted[b.value] = b.checked; });
    matches = [];
    for (var i = 0; i < rows.length; i++) {
      if (wanted[severity[i]] === true && (t === "" || text[i].indexOf(t) !== -1)) { matches.push(i); }
    }
  }
  function show() {
    var pages = Math.max(1, Math.ceil(matches.length / size));
    page = Math.min(Math.max(page, 0), pages - 1);
    var first = page * size;
    var want = matches.slice(first, first + size);
    var keep = new Uint8Array(rows.length);
    want.forEach(function (i) { keep[i] = 1; });
    onPage.forEach(function (i) { if (!keep[i]) { rows[i].hidden = true; shown[i] = 0; } });
    want.forEach(function (i) { if (!shown[i]) { rows[i].hidden = false; shown[i] = 1; } });
    onPage = want;
    count.textContent = matches.length + " of " + rows.length + " findings";
    none.hidden = matches.length !== 0;
    pagers.forEach(function (p) {
      p.hidden = pages === 1;
      p.querySelector(".rows").textContent = "rows " + (want.length ? first + 1 : 0) + "–" +
        (first + want.length) + " of " + matches.length;
      p.querySelector(".prev").disabled = page === 0;
      p.querySelector(".next").disabled = page === pages - 1;
    });
    body.setAttribute("data-shown", String(matches.length));
    body.setAttribute("data-page", String(page + 1));
    body.setAttribute("data-pages", String(pages));
  }
  var timer = null;
  function apply() {
    clearTimeout(timer);
    timer = null;
    filter();
    page = 0;
    show();
  }
  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, PAUSE_MS);
  });
  q.addEventListener("change", apply);
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  pagers.forEach(function (p, n) {
    function go(by) {
      page += by;
      show();
      // From the pager under the table, back to the top of the new page.
      if (n > 0) { table.scrollIntoView(); }
    }
    p.querySelector(".prev").addEventListener("click", function () { go(-1); });
    p.querySelector(".next").addEventListener("click", function () { go(1); });
  });
  var hash = window.location.hash;
  var m = /(?:^#|&)q=([^&]*)/.exec(hash);
  if (m) { try { q.value = decodeURIComponent(m[1]); } catch (e) { q.value = m[1]; } }
  filter();
  m = /(?:^#|&)page=(\d+)/.exec(hash);
  page = m ? Number(m[1]) - 1 : 0;
  show();
  body.setAttribute("data-ready", "1");
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_shows_controls() {
        assert_eq!(
            esc("<script>\"a\" & 'b'\u{1b}</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;\\u{1b}&lt;/script&gt;"
        );
        assert_eq!(esc("\u{202e}x\r"), "\\u{202e}x\\r");
    }
}
