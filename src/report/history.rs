//! The history page: one self-contained HTML file (inline CSS, inline SVG charts, one inline
//! script; a Content-Security-Policy that forbids every network request) showing how a schema
//! evolved across the versions of a snapshot history.
//!
//! The page embeds the timeline JSON exactly as `pgdrift history --json` prints it and builds
//! the timeline, the per-version changes and the comparison of two versions from it in the
//! browser, with `textContent` only (nothing in the data becomes markup). Each version's changes
//! against the one before are already in the data, so comparing two versions composes the steps
//! between them; a pair named with `--compare A B` is compared directly and shown as such. This
//! keeps the page to one copy of the data: no schemas are embedded (a thousand versions of a
//! large schema would be hundreds of megabytes), and no pair is rendered twice.

use std::fmt::Write;

use std::collections::{BTreeMap, BTreeSet};

use super::table_map::{self, CSS as MAP_CSS, SCRIPT as MAP_SCRIPT};
use crate::history::Timeline;

/// Chart drawing area, in SVG user units.
const CHART_W: f64 = 800.0;
const CHART_H: f64 = 160.0;

pub fn render(t: &Timeline) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let range = match (t.versions.first(), t.versions.last()) {
        (Some(first), Some(last)) => format!(
            "{} versions, {} to {}",
            t.versions.len(),
            esc(when(first)),
            esc(when(last))
        ),
        _ => "no versions".to_string(),
    };
    let _ = write!(
        out,
        "{}<body>\n<header>\n<h1>pgdrift: schema history</h1>\n<p>{range} · pgdrift {}</p>\n</header>\n",
        super::html::document_head("schema history", &format!("{CSS}{MAP_CSS}"), ""),
        env!("CARGO_PKG_VERSION")
    );
    charts(&mut out, t);
    out.push_str(
        "<section id=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"hint\">Pick a version to see \
         what changed in it.</p>\n<div class=\"scroll\"><table id=\"timeline-table\"><thead><tr>\
         <th>#</th><th>Captured</th><th>Server</th><th>Tables</th><th>Columns</th><th>Indexes</th>\
         <th>Functions</th><th>Changes</th></tr></thead><tbody></tbody></table></div>\n</section>\n\
         <section id=\"version\">\n<h2 id=\"version-title\">Changes</h2>\n\
         <div id=\"version-changes\"></div>\n</section>\n\
         <section id=\"compare\">\n<h2>Compare two versions</h2>\n<div class=\"picker\">\
         <label>older <select id=\"from\" aria-label=\"Older version\"></select></label>\
         <label>newer <select id=\"to\" aria-label=\"Newer version\"></select></label></div>\n\
         <p id=\"compare-note\"></p>\n<div id=\"compare-changes\"></div>\n</section>\n",
    );
    table_map_section(&mut out, t);
    out.push_str(
        "<section id=\"most\">\n<h2>Changed most often</h2>\n<table id=\"most-table\"><thead><tr>\
         <th>Object</th><th>Kind</th><th>Versions</th><th>Last changed in</th></tr></thead>\
         <tbody></tbody></table>\n</section>\n",
    );
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"timeline-data\">{}</script>\n\
         <script>{SCRIPT}{MAP_SCRIPT}</script>\n</body>\n</html>\n",
        embedded_json(t)
    );
    out
}

/// The timeline JSON, safe inside a `<script>` element: every `<` (which can only occur inside
/// a string) as its JSON escape, so no `</script>` in a name can end the element.
pub fn embedded_json(t: &Timeline) -> String {
    t.to_json().trim_end().replace('<', "\\u003c")
}

fn when(v: &crate::history::VersionEntry) -> &str {
    v.captured_at.as_deref().unwrap_or(&v.stamp)
}

/// A line of the size chart: its label, its CSS class, and the count it plots.
type Series = (
    &'static str,
    &'static str,
    fn(&crate::history::Size) -> usize,
);

/// Schema size over time and changes per version, as inline SVG (no script needed to see them).
fn charts(out: &mut String, t: &Timeline) {
    out.push_str("<section id=\"charts\">\n");
    let n = t.versions.len();
    if n == 0 {
        out.push_str("<p>The history holds no snapshots yet.</p>\n</section>\n");
        return;
    }
    let x = |i: usize| {
        if n == 1 {
            CHART_W / 2.0
        } else {
            CHART_W * i as f64 / (n - 1) as f64
        }
    };
    let series: [Series; 4] = [
        ("tables", "s-tables", |s| s.tables),
        ("indexes", "s-indexes", |s| s.indexes),
        ("functions", "s-functions", |s| s.functions),
        ("views", "s-views", |s| s.views),
    ];
    let max = t
        .versions
        .iter()
        .flat_map(|v| series.iter().map(|(_, _, f)| f(&v.size)))
        .max()
        .unwrap_or(0)
        .max(1);
    let _ = writeln!(
        out,
        "<div class=\"chart\"><h2>Schema size</h2><p class=\"axis\">0 to {max} objects, \
         version {} to {}</p>\n<svg id=\"size-chart\" viewBox=\"0 0 {CHART_W} {CHART_H}\" \
         preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Schema size per version\">",
        t.versions[0].number,
        t.versions[n - 1].number
    );
    for (label, class, f) in series {
        let mut points = String::new();
        for (i, v) in t.versions.iter().enumerate() {
            let y = CHART_H - 4.0 - (CHART_H - 8.0) * f(&v.size) as f64 / max as f64;
            let _ = write!(points, "{:.1},{:.1} ", x(i), y);
        }
        let _ = writeln!(
            out,
            "<polyline class=\"{class}\" points=\"{}\"><title>{label}</title></polyline>",
            points.trim_end()
        );
    }
    out.push_str("</svg>\n<p class=\"legend\">");
    for (label, class, f) in series {
        let now = f(&t.versions[n - 1].size);
        let _ = write!(out, "<span class=\"key {class}\"></span> {label} ({now}) ");
    }
    out.push_str("</p></div>\n");

    let totals: Vec<(usize, usize, usize)> = t
        .versions
        .iter()
        .map(|v| {
            v.counts.values().fold((0, 0, 0), |(a, r, c), k| {
                (a + k.added, r + k.removed, c + k.changed)
            })
        })
        .collect();
    let most = totals
        .iter()
        .map(|(a, r, c)| a + r + c)
        .max()
        .unwrap_or(0)
        .max(1);
    let _ = writeln!(
        out,
        "<div class=\"chart\"><h2>Changes per version</h2><p class=\"axis\">0 to {most} \
         changes</p>\n<svg id=\"changes-chart\" viewBox=\"0 0 {CHART_W} {CHART_H}\" \
         preserveAspectRatio=\"none\" role=\"img\" aria-label=\"Changes per version\">"
    );
    let slot = CHART_W / n as f64;
    let bar = (slot * 0.8).max(0.5);
    for (i, (v, (a, r, c))) in t.versions.iter().zip(&totals).enumerate() {
        let x0 = slot * i as f64 + (slot - bar) / 2.0;
        let mut top = CHART_H;
        let _ = write!(
            out,
            "<g><title>version {}: +{a} -{r} ~{c}</title>",
            v.number
        );
        for (count, class) in [(a, "added"), (r, "removed"), (c, "changed")] {
            if *count == 0 {
                continue;
            }
            let h = (CHART_H - 4.0) * *count as f64 / most as f64;
            top -= h;
            let _ = write!(
                out,
                "<rect class=\"{class}\" x=\"{x0:.2}\" y=\"{top:.2}\" width=\"{bar:.2}\" height=\"{h:.2}\"/>"
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str(
        "</svg>\n<p class=\"legend\"><span class=\"key added\"></span> added \
         <span class=\"key removed\"></span> removed <span class=\"key changed\"></span> changed</p>\
         </div>\n</section>\n",
    );
}

/// The tables changed in the shown versions and their foreign-key neighbours (as of the newest
/// version); a click on a changed table opens the last version that changed it.
fn table_map_section(out: &mut String, t: &Timeline) {
    out.push_str("<section id=\"map\">\n<h2>Changed tables</h2>\n");
    if t.changed_tables.is_empty() {
        out.push_str("<p>No table changed in these versions.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<p class=\"hint\">Changed tables (darker: changed in more versions) and the tables \
         they reference or are referenced by; arrows point to the referenced table.</p>\n",
    );
    let changed: BTreeMap<&str, (usize, usize)> = t
        .changed_tables
        .iter()
        .map(|c| (c.object.as_str(), (c.versions, c.last)))
        .collect();
    let neighbours: BTreeSet<&str> = t
        .foreign_keys
        .iter()
        .flat_map(|fk| [fk.from.as_str(), fk.to.as_str()])
        .filter(|n| !changed.contains_key(n))
        .collect();
    let most = t.changed_tables.first().map_or(1, |c| c.versions.max(1));
    let nodes: Vec<table_map::Node> = changed
        .iter()
        .map(|(name, (versions, last))| table_map::Node {
            name,
            class: format!("changed heat{}", (versions * 3).div_ceil(most).min(3)),
            link: Some(format!("#v={last}")),
        })
        .chain(neighbours.iter().map(|name| table_map::Node {
            name,
            class: "neighbour".into(),
            link: None,
        }))
        .collect();
    let edges: BTreeSet<(String, String)> = t
        .foreign_keys
        .iter()
        .map(|fk| (fk.from.clone(), fk.to.clone()))
        .collect();
    table_map::render(
        out,
        "history-map",
        "Changed tables and their foreign keys",
        &nodes,
        &edges,
    );
    out.push_str("</section>\n");
}

fn esc(s: &str) -> String {
    super::html::esc(s)
}

const CSS: &str = r#"
:root { color-scheme: light; --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff;
  --soft:#f6f8fa; --del:#ffebe9; --ins:#dafbe1; --added:#1a7f37; --removed:#cf222e; --changed:#9a6700; }
* { box-sizing: border-box; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; padding: 16px; max-width: 1280px; overflow-wrap: anywhere; }
h1 { font-size: 24px; margin: 0; } h2 { margin-top: 28px; border-bottom: 1px solid var(--line); }
header p, .hint, .axis, #compare-note { color: var(--muted); margin: 4px 0; }
#charts { display: flex; flex-wrap: wrap; gap: 16px; }
.chart { flex: 1 1 360px; min-width: 0; }
.chart h2 { margin-top: 12px; }
.chart svg { width: 100%; height: 160px; background: var(--soft); border: 1px solid var(--line); }
polyline { fill: none; stroke-width: 2; vector-effect: non-scaling-stroke; }
.s-tables { stroke: #0969da; } .s-indexes { stroke: #8250df; } .s-functions { stroke: #bf3989; }
.s-views { stroke: #1a7f37; }
rect.added { fill: var(--added); } rect.removed { fill: var(--removed); } rect.changed { fill: var(--changed); }
.key { display: inline-block; width: 12px; height: 12px; border-radius: 2px; vertical-align: middle; }
.key.s-tables { background: #0969da; } .key.s-indexes { background: #8250df; }
.key.s-functions { background: #bf3989; } .key.s-views { background: #1a7f37; }
.key.added { background: var(--added); } .key.removed { background: var(--removed); }
.key.changed { background: var(--changed); }
.scroll { overflow: auto; max-height: 480px; border: 1px solid var(--line); }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); position: sticky; top: 0; }
#timeline-table tbody tr { cursor: pointer; }
#timeline-table tbody tr:hover { background: var(--soft); }
#timeline-table tr.selected { background: #ddf4ff; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.picker { display: flex; flex-wrap: wrap; gap: 16px; }
select { font: inherit; padding: 4px; max-width: 100%; }
details.group { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 6px 10px; }
details.group summary { cursor: pointer; }
.change { margin: 8px 0; }
.badge { font-weight: 600; text-transform: uppercase; font-size: 11px; }
.badge.added { color: var(--added); } .badge.removed { color: var(--removed); }
.badge.changed { color: var(--changed); }
table.sbs { table-layout: fixed; }
table.sbs th { position: static; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; font: 12px/1.45 ui-monospace, monospace; }
td.del { background: var(--del); } td.ins { background: var(--ins); } td.gap { background: var(--soft); }
td.absent { color: var(--muted); }
code { overflow-wrap: anywhere; }
svg.table-map .node.changed.heat2 rect { fill: #ffcecb; } svg.table-map .node.changed.heat3 rect { fill: #ff8182; }
@media (max-width: 600px) { .chart svg { height: 96px; } h2 { margin-top: 16px; } }
"#;

const SCRIPT: &str = r##"
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("timeline-data").textContent);
  var versions = data.versions;
  var byNumber = {};
  versions.forEach(function (v, i) { byNumber[v.number] = i; });
  var direct = {};
  data.comparisons.forEach(function (c) { direct[c.from + "-" + c.to] = c; });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function summary(counts) {
    var parts = [];
    Object.keys(counts).forEach(function (kind) {
      var c = counts[kind], noun = kind.replace(/_/g, " ");
      if (c.added) parts.push("+" + c.added + " " + noun);
      if (c.removed) parts.push("-" + c.removed + " " + noun);
      if (c.changed) parts.push("~" + c.changed + " " + noun);
    });
    return parts.join(", ");
  }
  function countsOf(changes) {
    var counts = {};
    changes.forEach(function (c) {
      var k = counts[c.kind] || (counts[c.kind] = { added: 0, removed: 0, changed: 0 });
      k[c.change] += 1;
    });
    var sorted = {};
    Object.keys(counts).sort().forEach(function (k) { sorted[k] = counts[k]; });
    return sorted;
  }

  // Line diff (longest common subsequence) of two definitions, as rows of [left, right, kind].
  function lineDiff(a, b) {
    var x = a.split("\n"), y = b.split("\n"), n = x.length, m = y.length;
    if (n * m > 250000) {
      var rows = [];
      for (var k = 0; k < Math.max(n, m); k++) rows.push([k < n ? x[k] : null, k < m ? y[k] : null, "chg"]);
      return rows;
    }
    var L = [];
    for (var i = 0; i <= n; i++) { L.push(new Array(m + 1).fill(0)); }
    for (i = n - 1; i >= 0; i--)
      for (var j = m - 1; j >= 0; j--)
        L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
    var out = [], dels = [], ins = [];
    function flush() {
      for (var k = 0; k < Math.max(dels.length, ins.length); k++)
        out.push([k < dels.length ? dels[k] : null, k < ins.length ? ins[k] : null, "chg"]);
      dels = []; ins = [];
    }
    i = 0; j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) { flush(); out.push([x[i], y[j], "same"]); i++; j++; }
      else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) { ins.push(y[j]); j++; }
      else { dels.push(x[i]); i++; }
    }
    flush();
    return out;
  }
  function cell(text, cls) {
    var td = el("td", null, text === null ? "gap" : cls);
    if (text !== null) td.appendChild(el("pre", text));
    return td;
  }
  function sideBySide(c, older, newer) {
    var table = el("table", null, "sbs"), head = el("tr");
    head.appendChild(el("th", older + " (expected)"));
    head.appendChild(el("th", newer + " (actual)"));
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    if (c.before === null || c.after === null) {
      var tr = el("tr");
      [c.before, c.after].forEach(function (v, side) {
        if (v === null) { tr.appendChild(el("td", "absent", "absent")); }
        else { tr.appendChild(cell(v, side === 0 ? "del" : "ins")); }
      });
      body.appendChild(tr);
    } else {
      lineDiff(c.before, c.after).forEach(function (r) {
        var tr = el("tr");
        tr.appendChild(cell(r[0], r[2] === "same" ? "same" : "del"));
        tr.appendChild(cell(r[1], r[2] === "same" ? "same" : "ins"));
        body.appendChild(tr);
      });
    }
    table.appendChild(body);
    return table;
  }
  // The changes grouped by the top-level object they belong to.
  function renderChanges(target, changes, older, newer) {
    target.textContent = "";
    target.setAttribute("data-changes", String(changes.length));
    if (!changes.length) { target.appendChild(el("p", "No change.")); return; }
    var groups = [], index = {};
    changes.forEach(function (c) {
      var key = c.group_kind + " " + c.group;
      if (!(key in index)) { index[key] = groups.length; groups.push({ c: c, changes: [] }); }
      groups[index[key]].changes.push(c);
    });
    groups.forEach(function (g) {
      var d = el("details", null, "group");
      d.open = groups.length <= 40;
      var s = el("summary");
      s.appendChild(el("span", g.c.group_kind.replace(/_/g, " ") + " "));
      s.appendChild(el("code", g.c.group));
      s.appendChild(el("span", " · " + summary(countsOf(g.changes))));
      d.appendChild(s);
      g.changes.forEach(function (c) {
        var div = el("div", null, "change");
        div.setAttribute("data-change", c.change);
        div.setAttribute("data-object", c.object);
        var p = el("p");
        p.appendChild(el("span", c.change, "badge " + c.change));
        p.appendChild(document.createTextNode(" "));
        p.appendChild(el("code", c.rule));
        p.appendChild(document.createTextNode(" "));
        p.appendChild(el("bdi", c.object));
        p.appendChild(el("span", " — " + c.message));
        div.appendChild(p);
        if (d.open) div.appendChild(sideBySide(c, older, newer));
        else d.addEventListener("toggle", function once() {
          div.appendChild(sideBySide(c, older, newer)); d.removeEventListener("toggle", once);
        });
        d.appendChild(div);
      });
      target.appendChild(d);
    });
  }

  // Compose the steps from version `from` to version `to`: per object (and per grant), the
  // value before the first step and after the last; objects inside a top-level object that
  // was added or removed over the range are that object's, as a direct comparison lists them.
  function compose(from, to) {
    var steps = versions.filter(function (v) { return v.number > from && v.number <= to; });
    var keyed = {}, order = [];
    steps.forEach(function (v) {
      v.changes.forEach(function (c) {
        var family = c.rule.split(".")[0];
        var key = family + "\u0000" + c.object;
        if (family === "grant") key += "\u0000" + String(c.before !== null ? c.before : c.after).replace(" WITH GRANT OPTION", "");
        if (!(key in keyed)) { keyed[key] = { first: c, last: c, n: 0 }; order.push(key); }
        keyed[key].last = c; keyed[key].n += 1;
      });
    });
    var out = [];
    order.forEach(function (key) {
      var e = keyed[key], before = e.first.before, after = e.last.after;
      if (before === after) return;
      var family = e.first.rule.split(".")[0];
      // An attribute that went from unset to set (a comment) is a change, not an addition.
      var attribute = e.first.change === "changed" && e.last.change === "changed";
      var change = attribute ? "changed" : before === null ? "added" : after === null ? "removed" : "changed";
      var rule = change === "added" ? family + ".extra" : change === "removed" ? family + ".missing"
        : e.last.change === "changed" ? e.last.rule : e.first.rule;
      var message = e.n === 1 ? e.last.message : change + " (" + e.n + " steps: " + e.first.message + " … " + e.last.message + ")";
      out.push({ rule: rule, change: change, kind: e.last.kind, object: e.last.object,
        group: e.last.group, group_kind: e.last.group_kind, before: before, after: after, message: message });
    });
    var whole = {};
    // The top-level object itself added or removed (not a grant or comment on it).
    out.forEach(function (c) {
      if (c.object === c.group && c.kind === c.group_kind && c.change !== "changed") whole[c.group] = true;
    });
    return out.filter(function (c) { return c.object === c.group || !whole[c.group]; });
  }

  var tbody = document.querySelector("#timeline-table tbody");
  var rows = {};
  versions.forEach(function (v) {
    var tr = el("tr", null, "version");
    tr.id = "v" + v.number;
    tr.setAttribute("data-version", String(v.number));
    tr.appendChild(el("td", v.number, "num"));
    tr.appendChild(el("td", v.captured_at || v.stamp));
    tr.appendChild(el("td", v.server_version || ""));
    [v.size.tables, v.size.columns, v.size.indexes, v.size.functions].forEach(function (n) {
      tr.appendChild(el("td", n, "num"));
    });
    tr.appendChild(el("td", v.previous === null ? "first capture" : (summary(v.counts) || "no change")));
    tr.addEventListener("click", function () { setHash({ v: v.number }); });
    rows[v.number] = tr;
    tbody.appendChild(tr);
  });

  var most = document.querySelector("#most-table tbody");
  data.most_changed.forEach(function (m) {
    var tr = el("tr");
    var td = el("td"); td.appendChild(el("code", m.object)); tr.appendChild(td);
    tr.appendChild(el("td", m.kind.replace(/_/g, " ")));
    tr.appendChild(el("td", m.versions, "num"));
    tr.appendChild(el("td", m.last, "num"));
    most.appendChild(tr);
  });

  var from = document.getElementById("from"), to = document.getElementById("to");
  versions.forEach(function (v) {
    var label = "v" + v.number + " · " + (v.captured_at || v.stamp);
    from.appendChild(new Option(label, String(v.number)));
    to.appendChild(new Option(label, String(v.number)));
  });

  var selected = null;
  function showVersion(n) {
    var i = byNumber[n];
    if (i === undefined) return;
    var v = versions[i];
    if (selected !== null && rows[selected]) rows[selected].classList.remove("selected");
    selected = n; rows[n].classList.add("selected");
    var title = document.getElementById("version-title");
    title.textContent = v.previous === null ? "Version " + n + ": first capture"
      : "Version " + n + ": changes since version " + v.previous;
    renderChanges(document.getElementById("version-changes"), v.changes, "v" + v.previous, "v" + n);
  }
  function showComparison(a, b) {
    if (byNumber[a] === undefined || byNumber[b] === undefined) return;
    if (a > b) { var t = a; a = b; b = t; }
    from.value = String(a); to.value = String(b);
    var note = document.getElementById("compare-note"), target = document.getElementById("compare-changes");
    var changes, how;
    if (a === b) { changes = []; how = "same"; note.textContent = "The same version on both sides."; }
    else if (direct[a + "-" + b]) {
      changes = direct[a + "-" + b].changes; how = "direct";
      note.textContent = "Version " + a + " against version " + b + ", compared directly (--compare).";
    } else if (versions[byNumber[b]].previous === a) {
      changes = versions[byNumber[b]].changes; how = "direct";
      note.textContent = "Version " + a + " against version " + b + ", the version after it.";
    } else {
      changes = compose(a, b); how = "composed";
      note.textContent = "Version " + a + " against version " + b + ", composed from the " +
        (byNumber[b] - byNumber[a]) + " versions between them (pgdrift history --compare " + a + " " + b + " compares them directly).";
    }
    target.setAttribute("data-how", how);
    target.setAttribute("data-pair", a + "-" + b);
    renderChanges(target, changes, "v" + a, "v" + b);
  }
  function params() {
    var out = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("=");
      if (i > 0) out[decodeURIComponent(kv.slice(0, i))] = decodeURIComponent(kv.slice(i + 1));
    });
    return out;
  }
  function setHash(change) {
    var p = params();
    Object.keys(change).forEach(function (k) { p[k] = String(change[k]); });
    location.hash = Object.keys(p).map(function (k) { return k + "=" + encodeURIComponent(p[k]); }).join("&");
  }
  function route() {
    var p = params();
    if (!versions.length) return;
    var last = versions[versions.length - 1].number;
    showVersion(p.v !== undefined ? Number(p.v) : last);
    var pair = (p.compare || "").split("-").map(Number);
    if (pair.length === 2 && !isNaN(pair[0]) && !isNaN(pair[1])) showComparison(pair[0], pair[1]);
    else if (versions.length > 1) showComparison(versions[versions.length - 2].number, last);
    else showComparison(last, last);
  }
  function picked() { setHash({ compare: from.value + "-" + to.value }); }
  from.addEventListener("change", picked);
  to.addEventListener("change", picked);
  window.addEventListener("hashchange", route);
  route();
  var table = document.querySelector("#timeline .scroll").getBoundingClientRect();
  document.body.setAttribute("data-versions", String(tbody.children.length));
  document.body.setAttribute("data-overflow",
    document.documentElement.scrollWidth > document.documentElement.clientWidth ? "1" : "0");
  // Laid out, as wide as the page at most, and starting on the first screen.
  document.body.setAttribute("data-timeline-visible", table.width > 0 && table.height > 0 &&
    table.right <= document.documentElement.clientWidth && table.top < window.innerHeight ? "1" : "0");
  document.body.setAttribute("data-load-ms", String(Math.round(performance.now())));
  document.body.setAttribute("data-ready", "1");
})();
"##;
