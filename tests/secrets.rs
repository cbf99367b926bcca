//! No password anywhere: the real binary through every path a password takes (a URL, a
//! `password_env` variable, a `scratch_url`, a fleet over a password URL; right and wrong; TLS
//! failures and a refused connection), and every output searched for it — the seven reports of
//! `--output-dir`, the GitHub annotations, `--timings`, standard output and standard error —
//! raw, percent-encoded (upper and lower case hex), base64, and every piece of it between its
//! delimiters.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use pgdrift::source::cluster::{Cluster, ClusterOptions};

/// The role's password, and a wrong one; both hold URL delimiters, so they must be
/// percent-encoded in a URL.
const RIGHT: &str = "Vk9qRt/Lm4Zxq?Wp8Jd@Hy3Nc#Qs7Bf";
const WRONG: &str = "Gt5wEr/Uo2Kpa?Xc6Mn@Zb1Yv%Df8Sl";
const PW_VAR: &str = "PGDRIFT_SECRETS_TEST_PW";
const URL_VAR: &str = "PGDRIFT_SECRETS_TEST_URL";

fn encode(password: &str) -> String {
    utf8_percent_encode(password, NON_ALPHANUMERIC).to_string()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Every form of a password that must appear in no output.
fn forms(password: &str) -> Vec<String> {
    let encoded = encode(password);
    let mut forms = vec![
        password.to_string(),
        encoded.clone(),
        // %2f as well as %2F.
        encoded
            .split('%')
            .enumerate()
            .map(|(i, p)| {
                if i == 0 {
                    p.to_string()
                } else {
                    let (hex, rest) = p.split_at(2.min(p.len()));
                    format!("%{}{rest}", hex.to_lowercase())
                }
            })
            .collect(),
        base64(password.as_bytes()),
    ];
    // The pieces between delimiters: what a URL cut at the wrong place would echo.
    forms.extend(
        password
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|p| p.len() >= 5)
            .map(str::to_string),
    );
    forms
}

/// A run: its name, the actual target's keys, variables, exit codes, what the output says.
type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, &'a [i32], &'a str);

fn start(options: ClusterOptions) -> Cluster {
    Cluster::start_with(&options).unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"))
}

/// One run of the binary: what it printed and which reports it wrote.
struct Outputs {
    what: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    reports: Vec<(PathBuf, String)>,
}

impl Outputs {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

fn run(what: &str, args: &[&str], reports: &Path, envs: &[(&str, &str)]) -> Outputs {
    let mut all = args.to_vec();
    all.extend(["--output-dir", reports.to_str().unwrap()]);
    all.extend(["--annotations", "github", "--timings"]);
    run_plain(what, &all, reports, envs)
}

/// `run` without the report flags (for `snapshot` and `plan`, which write no reports).
fn run_plain(what: &str, args: &[&str], reports: &Path, envs: &[(&str, &str)]) -> Outputs {
    let out = assert_cmd::Command::cargo_bin("pgdrift")
        .expect("binary")
        .args(args)
        .env("NO_COLOR", "1")
        .env("GITHUB_ACTIONS", "true")
        .env_remove("PGPASSWORD")
        .env_remove(PW_VAR)
        .env_remove(URL_VAR)
        .envs(envs.iter().copied())
        .output()
        .expect("run");
    let mut files: Vec<(PathBuf, String)> = std::fs::read_dir(reports)
        .map(|entries| {
            entries
                .map(|e| {
                    let path = e.expect("entry").path();
                    let text = std::fs::read_to_string(&path).expect("report is text");
                    (path, text)
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    Outputs {
        what: what.to_string(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        reports: files,
    }
}

/// The run went where it was meant to: its exit code, the message that shows which path it
/// took, seven reports, annotations and timings. So the search below searches real output.
fn assert_took_its_path(o: &Outputs, codes: &[i32], says: &str) {
    let all = o.all();
    assert!(
        o.code.is_some_and(|c| codes.contains(&c)),
        "{}: exit {:?}, wanted one of {codes:?}:\n{all}",
        o.what,
        o.code
    );
    assert!(
        all.contains(says),
        "{}: does not say {says:?}:\n{all}",
        o.what
    );
    let names: Vec<String> = o
        .reports
        .iter()
        .map(|(p, _)| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "pgdrift.codequality.json",
            "pgdrift.html",
            "pgdrift.json",
            "pgdrift.junit.xml",
            "pgdrift.md",
            "pgdrift.rdjson",
            "pgdrift.sarif"
        ],
        "{}",
        o.what
    );
    assert!(
        o.stdout.contains("::error ") || o.stdout.contains("::warning "),
        "{}: no annotations:\n{all}",
        o.what
    );
    assert!(
        o.stderr.contains("pgdrift: timings"),
        "{}: no timings:\n{all}",
        o.what
    );
}

#[test]
fn no_password_reaches_any_output_on_any_path() {
    // A CA-signed certificate for `localhost`, and an unrelated CA to offer as the wrong root.
    let certs = common::certs::Certs::make();
    let read = |name: &str| certs.read(name);
    let tls_options = ClusterOptions {
        settings: vec![
            ("ssl".into(), "on".into()),
            ("ssl_cert_file".into(), "'server.crt'".into()),
            ("ssl_key_file".into(), "'server.key'".into()),
        ],
        files: vec![
            ("server.crt".into(), read("server.crt")),
            ("server.key".into(), read("server.key")),
        ],
        ..Default::default()
    };
    // Two servers at once: one that wants pwuser's password (and has no TLS), one with TLS.
    let tls = std::thread::spawn(move || start(tls_options));
    let cluster = start(ClusterOptions {
        hba_lines: vec!["host all pwuser 127.0.0.1/32 scram-sha-256".into()],
        ..Default::default()
    });
    let tls = tls.join().expect("TLS cluster");
    let admin = Command::new(common::pg_dump().with_file_name("psql"))
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            &cluster.url("postgres"),
        ])
        .args([
            "-c",
            "SET password_encryption = 'scram-sha-256'",
            "-c",
            &format!("CREATE ROLE pwuser LOGIN CREATEDB PASSWORD '{RIGHT}'"),
            "-c",
            "CREATE DATABASE fleet_one OWNER pwuser",
        ])
        .output()
        .expect("psql runs");
    assert!(
        admin.status.success(),
        "{}",
        String::from_utf8_lossy(&admin.stderr)
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let expected =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/snapshots/expected.snapshot.json");
    std::fs::write(
        dir.path().join("ok.sql"),
        "CREATE TABLE t (id int PRIMARY KEY);\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bad.sql"),
        "CREATE TABLE t (id int);\nCREATE TABLE broken (id nosuchtype);\n",
    )
    .unwrap();
    let refused = common::HeldPort::new();
    let port = cluster.port();
    let url = |password: &str, rest: &str| {
        format!(
            "postgresql://pwuser:{}@127.0.0.1:{port}/postgres?sslmode=disable{rest}",
            encode(password)
        )
    };
    let wrong_url = url(WRONG, "");
    let bare = format!("postgresql://pwuser@127.0.0.1:{port}/postgres?sslmode=disable");
    let other_ca = certs.path("other-ca.crt");

    let auth_failed = "password authentication failed";
    let cases: Vec<Case> = vec![
        (
            "url, right password",
            format!("url = '{}'", url(RIGHT, "")),
            vec![],
            &[1],
            "policy violated",
        ),
        (
            "url, wrong password",
            format!("url = '{}'", url(WRONG, "")),
            vec![],
            &[2],
            auth_failed,
        ),
        (
            "url through ${VAR}, wrong password",
            format!("url = '${{{URL_VAR}}}'"),
            vec![(URL_VAR, wrong_url.as_str())],
            &[2],
            auth_failed,
        ),
        (
            "password_env, right password",
            format!("url = '{bare}'\npassword_env = '{PW_VAR}'"),
            vec![(PW_VAR, RIGHT)],
            &[1],
            "policy violated",
        ),
        (
            "password_env, wrong password",
            format!("url = '{bare}'\npassword_env = '{PW_VAR}'"),
            vec![(PW_VAR, WRONG)],
            &[2],
            auth_failed,
        ),
        (
            "scratch_url, right password",
            format!("sql = 'ok.sql'\nscratch_url = '{}'", url(RIGHT, "")),
            vec![],
            &[1],
            "policy violated",
        ),
        (
            "scratch_url, a failing SQL file",
            format!("sql = 'bad.sql'\nscratch_url = '{}'", url(RIGHT, "")),
            vec![],
            &[2],
            "bad.sql:2",
        ),
        (
            "scratch_url, wrong password",
            format!("sql = 'ok.sql'\nscratch_url = '{}'", url(WRONG, "")),
            vec![],
            &[2],
            auth_failed,
        ),
        (
            "fleet over a password URL",
            format!("url = '{}'\ndatabases = '*'", url(RIGHT, "")),
            vec![],
            &[1],
            "fleet_one",
        ),
        (
            "fleet, wrong password",
            format!("url = '{}'\ndatabases = '*'", url(WRONG, "")),
            vec![],
            &[2],
            auth_failed,
        ),
        (
            "sslmode=require, server without TLS",
            format!(
                "url = 'postgresql://pwuser:{}@127.0.0.1:{port}/postgres?sslmode=require'",
                encode(RIGHT)
            ),
            vec![],
            &[2],
            "sslmode=require",
        ),
        (
            "verify-full, wrong root certificate",
            format!(
                "url = 'postgresql://pwuser:{}@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}'",
                encode(RIGHT),
                tls.port(),
                encode(other_ca.to_str().unwrap())
            ),
            vec![],
            &[2],
            "sslrootcert",
        ),
        (
            "connection refused",
            format!(
                "url = 'postgresql://pwuser:{}@127.0.0.1:{}/postgres?sslmode=disable'",
                encode(RIGHT),
                refused.port()
            ),
            vec![],
            &[2],
            "connection refused",
        ),
    ];

    let mut outputs = Vec::new();
    for (i, (what, keys, envs, codes, says)) in cases.iter().enumerate() {
        let policy = dir.path().join(format!("p{i}.toml"));
        std::fs::write(
            &policy,
            format!(
                "[targets.expected]\nsnapshot = '{}'\n[targets.actual]\n{keys}\n\
                 [[check]]\nname = \"secrets\"\nexpected = \"expected\"\nactual = \"actual\"\n",
                expected.display()
            ),
        )
        .unwrap();
        let reports = dir.path().join(format!("reports{i}"));
        let o = run(
            what,
            &["check", "--policy", policy.to_str().unwrap()],
            &reports,
            envs,
        );
        assert_took_its_path(&o, codes, says);
        outputs.push(o);
    }
    // The same URLs on the command line of diff.
    for (what, actual, codes, says) in [
        ("diff, right password", url(RIGHT, ""), &[1][..], "drift"),
        (
            "diff, wrong password",
            url(WRONG, ""),
            &[2][..],
            auth_failed,
        ),
    ] {
        let reports = dir.path().join(format!("diff-{}", outputs.len()));
        let o = run(
            what,
            &["diff", expected.to_str().unwrap(), &actual],
            &reports,
            &[],
        );
        assert_took_its_path(&o, codes, says);
        outputs.push(o);
    }

    // snapshot and plan with a password URL: they print the schema and a script, and time.
    let snapshot = dir.path().join("live.snapshot.json");
    for (what, args, code) in [
        (
            "snapshot, right password",
            vec![
                "snapshot",
                "--url",
                &url(RIGHT, ""),
                "-o",
                snapshot.to_str().unwrap(),
            ],
            0,
        ),
        (
            "snapshot, wrong password",
            vec!["snapshot", "--url", &wrong_url],
            2,
        ),
        (
            "plan, right password",
            vec![
                "plan",
                expected.to_str().unwrap(),
                &url(RIGHT, ""),
                "--timings",
            ],
            1,
        ),
        (
            "plan, wrong password",
            vec!["plan", expected.to_str().unwrap(), &wrong_url, "--timings"],
            2,
        ),
    ] {
        // (No reports: a folder that does not exist.)
        let o = run_plain(what, &args, &dir.path().join("no-reports"), &[]);
        assert_eq!(o.code, Some(code), "{what}:\n{}", o.all());
        outputs.push(o);
    }
    let text = std::fs::read_to_string(&snapshot).expect("the snapshot was written");
    assert!(text.contains("\"schemas\""), "{text}");
    outputs.push(Outputs {
        what: "snapshot file".into(),
        code: Some(0),
        stdout: text,
        stderr: String::new(),
        reports: Vec::new(),
    });
    assert!(
        outputs
            .iter()
            .any(|o| o.what == "plan, right password" && o.stdout.contains("CREATE TABLE")),
        "the plan printed a script"
    );

    let secrets: Vec<String> = forms(RIGHT).into_iter().chain(forms(WRONG)).collect();
    for o in &outputs {
        let mut texts = vec![
            ("stdout".to_string(), o.stdout.clone()),
            ("stderr".to_string(), o.stderr.clone()),
        ];
        texts.extend(o.reports.iter().map(|(p, t)| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                t.clone(),
            )
        }));
        for (name, text) in &texts {
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{}: {secret:?} leaked into {name}:\n{text}",
                    o.what
                );
            }
        }
    }
    drop(refused);
    drop(tls);
}

#[test]
fn the_forms_searched_for_are_the_real_encodings() {
    assert_eq!(base64(b"Man"), "TWFu");
    assert_eq!(base64(b"Ma"), "TWE");
    assert_eq!(base64(b"M"), "TQ");
    let f = forms("ab/Cdefg?x");
    assert_eq!(f[1], "ab%2FCdefg%3Fx");
    assert_eq!(f[2], "ab%2fCdefg%3fx");
    assert_eq!(&f[4..], ["Cdefg"]);
}
