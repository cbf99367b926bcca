//! Stage timings for `--timings`: the wall time of each stage of a run (connect and read per
//! target, normalize, diff, judge, report), printed on standard error at the end.
//!
//! Stages record into one process-wide list, so no stage needs an extra parameter for it;
//! recording is a lock and a push, cheap enough to do always. A stage that runs more than once
//! (a diff per check) adds up, and says how many times it ran.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Stage name, total time, how many times it ran.
static STAGES: Mutex<Stages> = Mutex::new(Vec::new());

type Stages = Vec<(String, Duration, u32)>;

/// Add `elapsed` to the stage `name`.
pub fn record(name: impl Into<String>, elapsed: Duration) {
    add(
        &mut STAGES.lock().unwrap_or_else(|e| e.into_inner()),
        name.into(),
        elapsed,
    );
}

fn add(stages: &mut Stages, name: String, elapsed: Duration) {
    match stages.iter_mut().find(|(n, _, _)| *n == name) {
        Some((_, total, count)) => {
            *total += elapsed;
            *count += 1;
        }
        None => stages.push((name, elapsed, 1)),
    }
}

/// Run `f` as the stage `name`.
pub fn time<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    record(name, started.elapsed());
    value
}

/// Where a stage goes in the printed list: in the order of the flow.
fn rank(name: &str) -> u8 {
    match name.split(' ').next().unwrap_or("") {
        "start" => 0,
        "connect" | "create" => 1,
        "load" => 2,
        "read" => 3,
        "normalize" => 4,
        "diff" => 5,
        "judge" => 6,
        "report" => 7,
        _ => 8,
    }
}

/// Take what was recorded and render it, with `total` (the whole run) last:
///
/// ```text
/// pgdrift: timings (wall clock; targets are read concurrently, so their stages overlap)
///   connect production            0.004 s
///   read production               1.234 s
///   ...
///   total                         1.640 s
/// ```
pub fn take_rendered(total: Duration) -> String {
    render(
        std::mem::take(&mut *STAGES.lock().unwrap_or_else(|e| e.into_inner())),
        total,
    )
}

fn render(mut stages: Stages, total: Duration) -> String {
    // Stable: targets keep the order in which they finished within a rank.
    stages.sort_by_key(|(name, _, _)| rank(name));
    stages.push(("total".to_string(), total, 1));
    let width = stages
        .iter()
        .map(|(name, _, count)| name.len() + if *count > 1 { 6 } else { 0 })
        .max()
        .unwrap_or(0)
        .max(24);
    let mut out = String::from(
        "pgdrift: timings (wall clock; targets are read concurrently, so their stages overlap)\n",
    );
    for (name, elapsed, count) in stages {
        let label = if count > 1 {
            format!("{name} ({count}×)")
        } else {
            name
        };
        out.push_str(&format!(
            "  {label:<width$} {:>9.3} s\n",
            elapsed.as_secs_f64()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_add_up_and_print_in_flow_order() {
        // On a list of its own: other tests in this process record into the global one.
        let mut stages = Stages::new();
        let ms = Duration::from_millis;
        add(&mut stages, "report".into(), ms(30));
        add(&mut stages, "read expected".into(), ms(1200));
        add(&mut stages, "diff".into(), ms(10));
        add(&mut stages, "diff".into(), ms(15));
        add(&mut stages, "connect expected".into(), ms(4));
        let text = render(stages, Duration::from_secs(2));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("pgdrift: timings"));
        let names: Vec<&str> = lines[1..]
            .iter()
            .map(|l| l.trim().rsplitn(3, ' ').nth(2).unwrap_or("").trim())
            .collect();
        assert_eq!(
            names,
            [
                "connect expected",
                "read expected",
                "diff (2×)",
                "report",
                "total"
            ]
        );
        assert!(lines[3].trim_end().ends_with("0.025 s"), "{}", lines[3]);
        assert_eq!(render(Stages::new(), Duration::ZERO).lines().count(), 2);
    }
}
