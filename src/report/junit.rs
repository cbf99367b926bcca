//! JUnit XML for CI test tabs (GitLab's test report, the GitHub JUnit actions): a test suite
//! per check, a test case per compared top-level object (a table with its columns, constraints
//! and indexes; a view; a function; ...), so dashboards count "208 objects compared, 5 failed".
//! Findings at or above `fail_on` make the object's case fail and are listed in the failure;
//! the others go to its system-out. A check that could not run is one errored case.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::{Context, Item, ObjectReport, describe, objects, truncate, waiver_text};
use crate::evaluate::{CheckVerdict, Judged, Outcome};

/// Failure messages are attributes shown on one line; the full list is in the failure's text.
const MESSAGE_MAX: usize = 1000;

pub fn render(ctx: &Context) -> String {
    let mut report = Report::new("pgdrift");
    for check in &ctx.verdict.checks {
        report.add_test_suite(suite(ctx, check));
    }
    if let Some(suite) = policy_suite(ctx) {
        report.add_test_suite(suite);
    }
    // Serializing into memory only fails on invalid XML names, which are all fixed here.
    report.to_string().unwrap_or_default()
}

fn suite(ctx: &Context, check: &CheckVerdict) -> TestSuite {
    let mut suite = TestSuite::new(check.name.as_str());
    suite.set_time(Duration::ZERO);
    suite.add_property(Property::new("expected", check.expected.as_str()));
    suite.add_property(Property::new("actual", check.actual.as_str()));
    match &check.outcome {
        Outcome::Failed { errors } => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
            let first = errors
                .first()
                .map(String::as_str)
                .unwrap_or("unknown error");
            status.set_message(one_line(&truncate(
                &format!("the check could not run: {first}"),
                MESSAGE_MAX,
            )));
            status.set_type("pgdrift.check_failed");
            status.set_description(errors.join("\n"));
            let mut case = TestCase::new(format!("check {} could not run", check.name), status);
            case.set_classname(check.name.as_str());
            case.set_time(Duration::ZERO);
            if let Some(loc) = ctx.check_location(check) {
                case.extra
                    .insert("file".into(), ctx.display_path(&loc.path).into());
                case.extra
                    .insert("line".into(), loc.line.to_string().into());
            }
            suite.add_test_case(case);
        }
        Outcome::Compared { .. } => {
            for object in objects(check) {
                suite.add_test_case(case(ctx, check, &object));
            }
        }
    }
    suite
}

/// Findings about the policy file (expired waivers, patterns that match nothing): one case per
/// policy entry, in a suite of its own.
fn policy_suite(ctx: &Context) -> Option<TestSuite> {
    let items: Vec<Item> = ctx
        .items()
        .into_iter()
        .filter(|i| i.check.is_none())
        .collect();
    if items.is_empty() {
        return None;
    }
    let mut suite = TestSuite::new("policy");
    suite.set_time(Duration::ZERO);
    for item in items {
        let j = item.judged;
        let status = if j.violates(ctx.fail_on) {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(one_line(&truncate(&j.finding.message, MESSAGE_MAX)));
            status.set_type(j.finding.rule.as_str());
            status.set_description(listing(&[j]));
            status
        } else {
            TestCaseStatus::success()
        };
        let mut case = TestCase::new(
            format!("{} {}", j.finding.group, one_line(&j.finding.object)),
            status,
        );
        case.set_classname("policy");
        case.set_time(Duration::ZERO);
        if !j.violates(ctx.fail_on) {
            case.set_system_out(listing(&[j]));
        }
        if let Some(loc) = ctx.item_location(&item) {
            case.extra
                .insert("file".into(), ctx.display_path(&loc.path).into());
            case.extra
                .insert("line".into(), loc.line.to_string().into());
        }
        suite.add_test_case(case);
    }
    Some(suite)
}

fn case(ctx: &Context, check: &CheckVerdict, object: &ObjectReport) -> TestCase {
    let (failing, other): (Vec<&Judged>, Vec<&Judged>) = object
        .findings
        .iter()
        .partition(|j| j.violates(ctx.fail_on));
    let status = if failing.is_empty() {
        TestCaseStatus::success()
    } else {
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        let listed: Vec<String> = failing
            .iter()
            .map(|j| format!("{} {}", j.finding.rule, j.finding.object))
            .collect();
        let noun = if failing.len() == 1 {
            "finding"
        } else {
            "findings"
        };
        status.set_message(one_line(&truncate(
            &format!("{} {noun}: {}", failing.len(), listed.join(", ")),
            MESSAGE_MAX,
        )));
        let mut rules: Vec<&str> = failing.iter().map(|j| j.finding.rule.as_str()).collect();
        rules.sort_unstable();
        rules.dedup();
        status.set_type(rules.join(" "));
        status.set_description(listing(&failing));
        status
    };
    let mut case = TestCase::new(
        format!("{} {}", object.kind.noun(), one_line(object.name)),
        status,
    );
    case.set_classname(check.name.as_str());
    case.set_time(Duration::ZERO);
    if !other.is_empty() {
        case.set_system_out(listing(&other));
    }
    // Only a real source location: pointing every object at the policy file would say nothing.
    let located = object
        .findings
        .iter()
        .find_map(|j| ctx.source_location(check, &j.finding));
    if let Some(loc) = located {
        case.extra
            .insert("file".into(), ctx.display_path(&loc.path).into());
        case.extra
            .insert("line".into(), loc.line.to_string().into());
    }
    case
}

/// One block per finding: `error column.type public.orders.total`, then its description.
fn listing(findings: &[&Judged]) -> String {
    let blocks: Vec<String> = findings
        .iter()
        .map(|j| {
            let waived = waiver_text(j)
                .map(|w| format!(" ({w})"))
                .unwrap_or_default();
            format!(
                "{} {} {}{waived}\n{}",
                j.severity.as_str(),
                j.finding.rule,
                j.finding.object,
                describe(&j.finding)
            )
        })
        .collect();
    blocks.join("\n\n") + "\n"
}

/// Attributes are read on one line; show line breaks in names instead of losing them.
fn one_line(s: &str) -> String {
    s.replace("\r\n", "\\n")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
        .replace('\t', " ")
}
