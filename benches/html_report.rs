//! The HTML report at a mass difference (README, "Reports and CI"): 27,000 findings (1,150
//! tables with an extra grant each, and columns), rendered, then loaded in headless Chromium,
//! where a script types into the filter: page size, time to a laid-out page and the cost of a
//! keystroke. Prints what it measures.
//!
//! `cargo bench --bench html_report`

#[path = "../tests/report_support/mod.rs"]
mod report_support;

use pgdrift::report::{self, Context, Format};
use report_support as support;

/// Typed into the filter by `main`, one character at a time, with the
/// page loaded and laid out: load time, then the cost of each keystroke (the filter and the
/// layout it causes). The page's own filter runs on `change` at once and on `input` after a
/// pause; a page without the pause filters on `input`.
const MEASURE: &str = r#"<script>
(function () {
  var body = document.body;
  void body.offsetHeight;
  body.setAttribute("data-load-ms", performance.now().toFixed(0));
  var q = document.getElementById("q");
  var word = "lab_reader";
  var times = [];
  for (var i = 1; i <= word.length; i++) {
    var t0 = performance.now();
    q.value = word.slice(0, i);
    q.dispatchEvent(new Event("input"));
    q.dispatchEvent(new Event("change"));
    void body.offsetHeight;
    times.push(performance.now() - t0);
  }
  var sum = times.reduce(function (a, b) { return a + b; }, 0);
  body.setAttribute("data-keystroke-ms", (sum / times.length).toFixed(1));
  body.setAttribute("data-keystroke-max-ms", Math.max.apply(null, times).toFixed(1));
})();
</script>
</body>"#;

fn main() {
    let (verdict, relations) = support::mass_difference(1150, 27_000);
    let locate = |_: &pgdrift::evaluate::CheckVerdict, f: &pgdrift::diff::Finding| {
        Some(report::Location {
            path: "db/migrations/0001_init.sql".into(),
            line: 10 + f.object.len() as u32,
        })
    };
    let mut ctx = Context::new(&verdict);
    ctx.relations = Some(&relations);
    ctx.locate = Some(&locate);
    let started = std::time::Instant::now();
    let page = report::render(Format::Html, &ctx);
    let render = started.elapsed();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("report.html");
    std::fs::write(&path, page.replacen("</body>", MEASURE, 1)).expect("write");
    let started = std::time::Instant::now();
    let rendered = support::load_in_chromium(&path, "");
    let wall = started.elapsed();
    assert!(
        rendered.dom.contains("data-ready=\"1\""),
        "{}",
        rendered.log
    );
    let attr = |name: &str| -> f64 {
        rendered
            .dom
            .split(&format!("{name}=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in the page"))
    };
    // "lab_reader" is in the 1,150 grant findings and nowhere else.
    assert_eq!(attr("data-shown"), 1150.0);
    let section = |id: &str| -> f64 {
        let start = page
            .find(&format!("<section id=\"{id}\""))
            .expect("section");
        let end = page[start..].find("</section>").expect("its end");
        end as f64 / 1e6
    };
    eprintln!(
        "sections: map {:.1} MB, findings table {:.1} MB, objects {:.1} MB",
        section("graph"),
        section("findings"),
        section("objects")
    );
    eprintln!(
        "27,000 findings: {:.1} MB rendered in {:.2} s; in Chromium laid out after {} ms \
         ({:.1} s wall clock with start and DOM dump); a keystroke in the filter {} ms on \
         average, {} ms at most",
        page.len() as f64 / 1e6,
        render.as_secs_f64(),
        attr("data-load-ms"),
        wall.as_secs_f64(),
        attr("data-keystroke-ms"),
        attr("data-keystroke-max-ms"),
    );
}
