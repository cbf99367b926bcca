//! The table map: tables and the foreign keys between them as inline SVG, shared by the
//! check's HTML report (drifted tables and their neighbours) and the history page (tables
//! changed in the versions shown).
//!
//! Laid out in layers, as the tables would be created: a table sits right of every table it
//! references (the members of a foreign-key cycle share a layer), a tall layer wraps into
//! several columns, and within a column tables follow the rows of what they reference, so
//! arrows run mostly level. The drawing keeps a fixed, readable scale (labels at 12 px) inside a
//! box that scrolls, instead of shrinking to the page width — hundreds of tables stay readable.
//! A search box marks the tables whose name contains the text and scrolls to the first.
//! Every name goes through `esc`; the script only toggles classes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::html::esc;

/// Past this many tables one layer wraps into another column.
const ROWS: usize = 24;
const NODE_W: f64 = 230.0;
const NODE_H: f64 = 28.0;
const GAP_X: f64 = 90.0;
const GAP_Y: f64 = 12.0;
const PAD: f64 = 16.0;
/// Characters of a name shown in a box (the whole name is its tooltip and search text).
const LABEL_CHARS: usize = 30;

/// One table of the map.
pub struct Node<'a> {
    pub name: &'a str,
    /// CSS classes besides `node` (`drifted error`, `neighbour`, `changed`).
    pub class: String,
    /// Where a click on it leads (`#obj-0-3`, `#v=12`).
    pub link: Option<String>,
}

/// Where each table goes: its box's top-left corner.
pub fn layout(names: &[&str], edges: &BTreeSet<(String, String)>) -> BTreeMap<String, (f64, f64)> {
    let tables: BTreeSet<String> = names.iter().map(|n| (*n).to_string()).collect();
    let mut refs: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges {
        if from != to && tables.contains(from) && tables.contains(to) {
            refs.entry(from.clone()).or_default().insert(to.clone());
        }
    }
    let analysis = crate::plan::deps::from_edges(&tables, &refs);
    let mut pos: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut column = 0usize;
    for level in &analysis.levels {
        // Follow the rows of what each table references (their mean), then the name.
        let mut order: Vec<(f64, &String)> = level
            .iter()
            .map(|t| {
                let ys: Vec<f64> = refs
                    .get(t)
                    .into_iter()
                    .flatten()
                    .filter_map(|r| pos.get(r).map(|p| p.1))
                    .collect();
                let key = if ys.is_empty() {
                    f64::MAX
                } else {
                    ys.iter().sum::<f64>() / ys.len() as f64
                };
                (key, t)
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        for chunk in order.chunks(ROWS) {
            for (row, (_, t)) in chunk.iter().enumerate() {
                let x = PAD + column as f64 * (NODE_W + GAP_X);
                let y = PAD + row as f64 * (NODE_H + GAP_Y);
                pos.insert((*t).clone(), (x, y));
            }
            column += 1;
        }
    }
    pos
}

/// The map with its search box. `id` is unique in the page; `label` names it for screen readers.
pub fn render(
    out: &mut String,
    id: &str,
    label: &str,
    nodes: &[Node],
    edges: &BTreeSet<(String, String)>,
) {
    let names: Vec<&str> = nodes.iter().map(|n| n.name).collect();
    let pos = layout(&names, edges);
    let width = pos.values().map(|p| p.0).fold(0.0, f64::max) + NODE_W + PAD;
    let height = pos.values().map(|p| p.1).fold(0.0, f64::max) + NODE_H + PAD;
    let _ = writeln!(
        out,
        "<div class=\"map-tools\"><input type=\"search\" class=\"map-search\" data-map=\"{id}\" \
         placeholder=\"Find a table\" aria-label=\"Find a table in the map\"> \
         <span class=\"map-count\" data-map=\"{id}\">{} tables</span></div>\n\
         <div class=\"map-scroll\"><svg id=\"{id}\" class=\"table-map\" role=\"img\" \
         aria-label=\"{}\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\">\n<defs><marker id=\"{id}-arrow\" \
         viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#57606a\"/></marker></defs>",
        nodes.len(),
        esc(label)
    );
    for (from, to) in edges {
        let (Some(&(fx, fy)), Some(&(tx, ty))) = (pos.get(from), pos.get(to)) else {
            continue;
        };
        if from == to {
            continue;
        }
        let (y1, y2) = (fy + NODE_H / 2.0, ty + NODE_H / 2.0);
        // From the referencing table's left side to the referenced one's right side; within
        // one column (a cycle), a loop out to the right.
        let d = if fx > tx {
            let (x1, x2) = (fx, tx + NODE_W);
            let mid = (x1 + x2) / 2.0;
            format!("M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}")
        } else if fx < tx {
            let (x1, x2) = (fx + NODE_W, tx);
            let mid = (x1 + x2) / 2.0;
            format!("M{x1:.1},{y1:.1} C{mid:.1},{y1:.1} {mid:.1},{y2:.1} {x2:.1},{y2:.1}")
        } else {
            let x = fx + NODE_W;
            let out_x = x + GAP_X * 0.6;
            format!("M{x:.1},{y1:.1} C{out_x:.1},{y1:.1} {out_x:.1},{y2:.1} {x:.1},{y2:.1}")
        };
        let _ = writeln!(
            out,
            "<path class=\"edge\" d=\"{d}\" marker-end=\"url(#{id}-arrow)\"><title>{} → {}</title></path>",
            esc(from),
            esc(to)
        );
    }
    for node in nodes {
        let Some(&(x, y)) = pos.get(node.name) else {
            continue;
        };
        let body = format!(
            "<g class=\"node {}\" data-name=\"{}\"><title>{}</title><rect x=\"{x:.1}\" \
             y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"6\"/><text x=\"{:.1}\" \
             y=\"{:.1}\" text-anchor=\"middle\">{}</text></g>",
            node.class,
            esc(&node.name.to_lowercase()),
            esc(node.name),
            x + NODE_W / 2.0,
            y + NODE_H / 2.0 + 4.0,
            esc(&shorten(node.name)),
        );
        match &node.link {
            Some(href) => {
                let _ = writeln!(out, "<a href=\"{}\">{body}</a>", esc(href));
            }
            None => {
                let _ = writeln!(out, "{body}");
            }
        }
    }
    out.push_str("</svg></div>\n");
}

/// At most `LABEL_CHARS` characters, with `…` when cut; control and bidirectional characters
/// shown as escapes.
fn shorten(s: &str) -> String {
    let flat = super::visible(s);
    if flat.chars().count() <= LABEL_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

pub const CSS: &str = r#"
.map-tools { display: flex; gap: 12px; align-items: center; margin: 8px 0; flex-wrap: wrap; }
.map-search { flex: 0 1 320px; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
.map-count { color: var(--muted); }
.map-scroll { overflow: auto; max-height: 640px; border: 1px solid var(--line); border-radius: 8px; background: var(--soft); }
svg.table-map { display: block; }
svg.table-map .edge { fill: none; stroke: #57606a; stroke-width: 1.3; }
svg.table-map .node rect { fill: #ffffff; stroke: #8c959f; stroke-width: 1.5; }
svg.table-map .node.drifted rect, svg.table-map .node.changed rect { fill: #ffebe9; stroke: #cf222e; }
svg.table-map .node.drifted.warning rect { fill: #fff8c5; stroke: #9a6700; }
svg.table-map .node.drifted.note rect { fill: #ddf4ff; stroke: #0969da; }
svg.table-map text { font: 12px ui-monospace, monospace; fill: #1f2328; }
svg.table-map.searching .node { opacity: .25; }
svg.table-map.searching .node.match { opacity: 1; }
svg.table-map .node.match rect { stroke: #0969da; stroke-width: 3; }
"#;

/// The search boxes. `#find=text` in the address pre-fills every map's box. It sets classes
/// and counts only; it never builds markup from a name.
pub const SCRIPT: &str = r##"
(function () {
  "use strict";
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.map-search"));
  boxes.forEach(function (box) {
    var svg = document.getElementById(box.getAttribute("data-map"));
    if (!svg) return;
    var nodes = Array.prototype.slice.call(svg.querySelectorAll("g.node"));
    var count = document.querySelector(".map-count[data-map=\"" + svg.id + "\"]");
    function find() {
      var text = box.value.toLowerCase().trim(), first = null, n = 0;
      nodes.forEach(function (g) {
        var hit = text !== "" && g.getAttribute("data-name").indexOf(text) !== -1;
        g.classList.toggle("match", hit);
        if (hit) { n += 1; if (!first) first = g; }
      });
      svg.classList.toggle("searching", text !== "");
      svg.setAttribute("data-matches", String(n));
      if (count) count.textContent = text === "" ? nodes.length + " tables" : n + " of " + nodes.length + " tables";
      if (first && first.scrollIntoView) first.scrollIntoView({ block: "center", inline: "center" });
    }
    box.addEventListener("input", find);
    var m = /(?:^#|&)find=([^&]*)/.exec(window.location.hash);
    if (m) { try { box.value = decodeURIComponent(m[1]); } catch (e) { box.value = m[1]; } }
    find();
    // The rendered height of a label, in CSS pixels: what a reader actually gets.
    var label = svg.querySelector("text");
    if (label) svg.setAttribute("data-label-px", String(Math.round(label.getBoundingClientRect().height)));
  });
})();
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_shortened_by_characters() {
        assert_eq!(shorten("abc"), "abc");
        assert_eq!(shorten(&"é".repeat(40)), format!("{}…", "é".repeat(29)));
        assert_eq!(shorten("a\nb"), "a\\nb");
    }

    #[test]
    fn a_table_sits_right_of_what_it_references_and_tall_layers_wrap() {
        let mut names: Vec<String> = vec!["public.customers".into(), "public.orders".into()];
        let mut edges: BTreeSet<(String, String)> = BTreeSet::new();
        edges.insert(("public.orders".into(), "public.customers".into()));
        // A cycle: both in one layer.
        edges.insert(("public.a".into(), "public.b".into()));
        edges.insert(("public.b".into(), "public.a".into()));
        names.push("public.a".into());
        names.push("public.b".into());
        for i in 0..60 {
            names.push(format!("public.t{i:02}"));
        }
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let pos = layout(&refs, &edges);
        assert_eq!(pos.len(), names.len());
        assert!(pos["public.orders"].0 > pos["public.customers"].0);
        assert_eq!(pos["public.a"].0, pos["public.b"].0);
        // 63 tables reference nothing: three columns of at most ROWS.
        let columns: BTreeSet<u64> = pos.values().map(|p| p.0 as u64).collect();
        assert!(columns.len() >= 3, "{columns:?}");
        let tallest = pos.values().map(|p| p.1).fold(0.0, f64::max);
        assert!(tallest < PAD + ROWS as f64 * (NODE_H + GAP_Y));
        // No two boxes in one place.
        let places: BTreeSet<(u64, u64)> = pos.values().map(|p| (p.0 as u64, p.1 as u64)).collect();
        assert_eq!(places.len(), names.len());
    }
}
