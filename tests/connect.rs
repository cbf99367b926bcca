//! Connecting the way libpq does, against real PostgreSQL servers: where passwords come from,
//! the errors users see (naming host, database and user, never the password), and every sslmode
//! against a server whose certificates this test makes with the openssl CLI.

mod common;

use std::collections::HashMap;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use pgdrift::source::Session;
use pgdrift::source::cluster::{Cluster, ClusterOptions};
use pgdrift::source::conninfo::{self, ConnInfo, ConnectError, Failure, PasswordSource};
use tokio_postgres::Client;

const TIMEOUT: Duration = Duration::from_secs(10);
const PASSWORD: &str = "Corr3ct-Horse-pw";
const WRONG: &str = "Wr0ng-Battery-pw";

/// A hermetic environment: only `vars`, and HOME an empty folder of the test's, so the machine's
/// own ~/.pgpass and ~/.postgresql never take part.
struct Env {
    home: tempfile::TempDir,
    vars: HashMap<String, String>,
}

impl Env {
    fn new(vars: &[(&str, &str)]) -> Env {
        let home = tempfile::tempdir().expect("temp home");
        let mut vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert("HOME".into(), home.path().to_string_lossy().into_owned());
        Env { home, vars }
    }

    fn parse(&self, conninfo: &str) -> ConnInfo {
        let lookup = |name: &str| self.vars.get(name).cloned();
        ConnInfo::parse(conninfo, &lookup).unwrap_or_else(|e| panic!("{conninfo}: {e}"))
    }
}

async fn connect(info: &ConnInfo) -> Result<Session, ConnectError> {
    conninfo::connect(info, "pgdrift-test", TIMEOUT).await
}

async fn connect_ok(info: &ConnInfo) -> Session {
    connect(info)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", info.describe()))
}

async fn connect_err(info: &ConnInfo) -> ConnectError {
    match connect(info).await {
        Ok(_) => panic!("connected, but should not have: {}", info.describe()),
        Err(e) => e,
    }
}

async fn scalar(client: &Client, sql: &str) -> String {
    let rows = client
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(String::from),
            _ => None,
        })
        .unwrap_or_default()
}

async fn admin(cluster: &Cluster) -> Session {
    let env = Env::new(&[]);
    connect_ok(&env.parse(&cluster.url("postgres"))).await
}

fn start(options: ClusterOptions) -> Cluster {
    Cluster::start_with(&options).unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"))
}

fn assert_names_target(e: &ConnectError, host: &str, port: u16, db: &str, user: &str) {
    let m = e.to_string();
    assert!(
        m.contains(&format!("{host}:{port}")),
        "no host:port in: {m}"
    );
    assert!(
        m.contains(&format!("database \"{db}\"")),
        "no database in: {m}"
    );
    assert!(m.contains(&format!("user \"{user}\"")), "no user in: {m}");
}

fn assert_no_secret(e: &ConnectError, secret: &str) {
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(secret), "the password leaked: {shown}");
}

#[tokio::test]
async fn passwords_come_from_where_libpq_takes_them() {
    let cluster = start(ClusterOptions {
        hba_lines: vec!["host all pwuser 127.0.0.1/32 scram-sha-256".into()],
        ..Default::default()
    });
    admin(&cluster)
        .await
        .batch_execute(&format!(
            "SET password_encryption = 'scram-sha-256'; \
             CREATE ROLE pwuser LOGIN PASSWORD '{PASSWORD}'"
        ))
        .await
        .expect("create role");
    let (host, port) = (cluster.host(), cluster.port());
    let base = format!("host={host} port={port} dbname=postgres user=pwuser sslmode=disable");

    // A wrong password in the string: an authentication error naming the target, not the password.
    let env = Env::new(&[]);
    let info = env.parse(&format!(
        "postgres://pwuser:{WRONG}@{host}:{port}/postgres?sslmode=disable"
    ));
    let e = connect_err(&info).await;
    assert!(
        matches!(
            e.failure(),
            Failure::Authentication {
                source: Some(PasswordSource::ConnectionString),
                ..
            }
        ),
        "{e:?}"
    );
    assert_names_target(&e, host, port, "postgres", "pwuser");
    assert!(
        e.to_string().contains("password authentication failed"),
        "{e}"
    );
    assert_no_secret(&e, WRONG);
    assert!(!format!("{info:?}").contains(WRONG));

    // The right one connects, with our application_name.
    let info = env.parse(&format!("{base} password='{PASSWORD}'"));
    let client = connect_ok(&info).await;
    assert_eq!(scalar(&client, "SELECT current_user").await, "pwuser");
    assert_eq!(
        scalar(&client, "SHOW application_name").await,
        "pgdrift-test"
    );
    // ...unless the string names its own.
    let info = env.parse(&format!(
        "{base} password='{PASSWORD}' application_name=mine"
    ));
    let client = connect_ok(&info).await;
    assert_eq!(scalar(&client, "SHOW application_name").await, "mine");

    // No password anywhere: the error says where one can go.
    let e = connect_err(&env.parse(&base)).await;
    assert!(
        matches!(e.failure(), Failure::PasswordMissing { .. }),
        "{e:?}"
    );
    let m = e.to_string();
    assert!(
        m.contains("PGPASSWORD") && m.contains("password_env"),
        "{m}"
    );

    // The caller's password (the policy's password_env), right and wrong.
    connect_ok(&env.parse(&base).with_password(Some(PASSWORD.into()))).await;
    let e = connect_err(&env.parse(&base).with_password(Some(WRONG.into()))).await;
    assert!(
        matches!(
            e.failure(),
            Failure::Authentication {
                source: Some(PasswordSource::Caller),
                ..
            }
        ),
        "{e:?}"
    );
    assert_no_secret(&e, WRONG);

    // PGPASSWORD.
    let env = Env::new(&[("PGPASSWORD", PASSWORD)]);
    connect_ok(&env.parse(&base)).await;
    // The string's password wins over PGPASSWORD.
    let e = connect_err(&env.parse(&format!("{base} password={WRONG}"))).await;
    assert_no_secret(&e, WRONG);
    assert_no_secret(&e, PASSWORD);

    // ~/.pgpass, with wildcards; ignored when others can read it, and the error says so.
    let env = Env::new(&[]);
    let pgpass = env.home.path().join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("# test\n{host}:{port}:*:pwuser:{PASSWORD}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    connect_ok(&env.parse(&base)).await;
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = connect_err(&env.parse(&base)).await;
    assert!(
        matches!(e.failure(), Failure::PasswordMissing { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("group or others"), "{e}");
    assert_no_secret(&e, PASSWORD);

    // PGPASSWORD ranks above the password file: its wrong password is the one reported.
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env2 = Env::new(&[("PGPASSWORD", WRONG)]);
    let e = connect_err(&env2.parse(&format!("{base} passfile={}", pgpass.display()))).await;
    assert!(
        matches!(
            e.failure(),
            Failure::Authentication {
                source: Some(PasswordSource::PgPassword),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("came from PGPASSWORD"), "{e}");
    // PGPASSFILE names the file.
    let env3 = Env::new(&[("PGPASSFILE", pgpass.to_str().unwrap())]);
    connect_ok(&env3.parse(&base)).await;
}

#[tokio::test]
async fn connection_errors_say_what_went_wrong() {
    let cluster = start(ClusterOptions::default());
    let (host, port) = (cluster.host(), cluster.port());
    let env = Env::new(&[]);

    // A database that does not exist.
    let e = connect_err(&env.parse(&format!(
        "postgres://postgres@{host}:{port}/nosuchdb?sslmode=disable"
    )))
    .await;
    assert!(
        matches!(e.failure(), Failure::DatabaseMissing { .. }),
        "{e:?}"
    );
    assert_names_target(&e, host, port, "nosuchdb", "postgres");
    assert!(e.to_string().contains("\"nosuchdb\" does not exist"), "{e}");

    // A role that does not exist (trust authentication lets the server say so).
    let e = connect_err(&env.parse(&format!(
        "host={host} port={port} user=ghost dbname=postgres sslmode=disable"
    )))
    .await;
    assert!(matches!(e.failure(), Failure::Rejected { .. }), "{e:?}");
    assert!(e.to_string().contains("\"ghost\" does not exist"), "{e}");

    // Nothing listening: ports held (bound, never listening) for the whole test, so that no
    // cluster of a parallel test can take them.
    let closed_held = common::HeldPort::new();
    let closed = closed_held.port();
    let e = connect_err(&env.parse(&format!(
        "host={host} port={closed} user=postgres sslmode=disable"
    )))
    .await;
    assert_eq!(e.failure(), &Failure::Refused, "{e:?}");
    assert_names_target(&e, host, closed, "postgres", "postgres");
    assert!(e.to_string().contains("connection refused"), "{e}");

    // Several hosts: tried in order, the first that works wins.
    let info = env.parse(&format!(
        "postgres://postgres@{host}:{closed},{host}:{port}/postgres?sslmode=disable"
    ));
    let client = connect_ok(&info).await;
    assert_eq!(scalar(&client, "SELECT 1").await, "1");
    // ...and when none works, each one's failure is listed.
    let other_held = common::HeldPort::new();
    let other = other_held.port();
    let e = connect_err(&env.parse(&format!(
        "host={host},{host} port={closed},{other} user=postgres sslmode=disable"
    )))
    .await;
    assert_eq!(e.failures().len(), 2, "{e:?}");
    assert!(e.to_string().contains(&format!("{host}:{other}")), "{e}");

    // A server that accepts the TCP connection but never answers: the connect timeout.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    let started = Instant::now();
    let e = connect_err(&env.parse(&format!(
        "host=127.0.0.1 port={silent_port} user=postgres connect_timeout=2 sslmode=disable"
    )))
    .await;
    assert!(matches!(e.failure(), Failure::Timeout(_)), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(8));
    assert!(e.to_string().contains("connect_timeout"), "{e}");
    drop(silent);

    // sslmode=require against a server without TLS; prefer falls back to plain.
    let e = connect_err(&env.parse(&format!(
        "host={host} port={port} user=postgres sslmode=require"
    )))
    .await;
    assert!(
        matches!(e.failure(), Failure::TlsUnsupported { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("sslmode=require"), "{e}");
    connect_ok(&env.parse(&format!(
        "host={host} port={port} user=postgres sslmode=prefer"
    )))
    .await;

    // The Unix socket (the cluster puts it next to the data directory), and a missing one.
    let socket_dir = cluster.data_dir().parent().unwrap().to_path_buf();
    let info = env.parse(&format!(
        "host={} port={port} user=postgres sslmode=require",
        socket_dir.display()
    ));
    assert!(info.hosts()[0].is_unix_socket());
    let client = connect_ok(&info).await;
    assert_eq!(scalar(&client, "SELECT 1").await, "1");
    let e = connect_err(&env.parse(&format!(
        "host=/nonexistent-socket-dir port={port} user=postgres"
    )))
    .await;
    assert!(matches!(e.failure(), Failure::NoSocket(_)), "{e:?}");
    assert!(
        e.to_string().contains("/nonexistent-socket-dir/.s.PGSQL"),
        "{e}"
    );

    // PGHOST/PGPORT/PGUSER/PGDATABASE alone are enough.
    let port_text = port.to_string();
    let env = Env::new(&[
        ("PGHOST", host),
        ("PGPORT", &port_text),
        ("PGUSER", "postgres"),
        ("PGDATABASE", "template1"),
        ("PGSSLMODE", "disable"),
    ]);
    let client = connect_ok(&env.parse("")).await;
    assert_eq!(
        scalar(&client, "SELECT current_database()").await,
        "template1"
    );
}

fn pem(path: &Path) -> String {
    // Paths in key=value strings: quote them in case the temp dir has spaces.
    format!("'{}'", path.display())
}

/// TLS advice fixes the certificate or the name; it never says to check less.
fn assert_never_advises_checking_less(message: &str) {
    for weaker in [
        "use sslmode",
        "sslmode=require to",
        "sslmode=prefer",
        "sslmode=disable",
        "leave it out",
        "without checking",
    ] {
        assert!(
            !message.contains(weaker),
            "advises checking less ({weaker}): {message}"
        );
    }
}

/// An expired server certificate: the message says so and says to renew it (or fix the clock),
/// in every mode that checks the certificate.
#[tokio::test]
async fn an_expired_certificate_is_named_and_never_waved_through() {
    let certs = common::certs::Certs::make();
    let cluster = start(ClusterOptions {
        settings: vec![
            ("ssl".into(), "on".into()),
            ("ssl_cert_file".into(), "'server.crt'".into()),
            ("ssl_key_file".into(), "'server.key'".into()),
        ],
        files: vec![
            ("server.crt".into(), certs.read("expired.crt")),
            ("server.key".into(), certs.read("server.key")),
        ],
        ..Default::default()
    });
    let port = cluster.port();
    let env = Env::new(&[]);
    let ca = pem(&certs.path("ca.crt"));
    for mode in ["verify-full", "verify-ca", "require"] {
        let info = env.parse(&format!(
            "host=localhost port={port} user=postgres dbname=postgres sslmode={mode} \
             sslrootcert={ca}"
        ));
        let e = connect_err(&info).await;
        assert!(matches!(e.failure(), Failure::Tls { .. }), "{e:?}");
        let m = e.to_string();
        assert!(
            m.contains("expired") && m.contains("renew") && m.contains("clock"),
            "{m}"
        );
        assert_never_advises_checking_less(&m);
    }
}

#[tokio::test]
async fn tls_modes_mean_what_they_mean_in_libpq() {
    let certs = common::certs::Certs::make();
    let cluster = start(ClusterOptions {
        settings: vec![
            ("ssl".into(), "on".into()),
            ("ssl_cert_file".into(), "'server.crt'".into()),
            ("ssl_key_file".into(), "'server.key'".into()),
            ("ssl_ca_file".into(), "'ca.crt'".into()),
        ],
        hba_lines: vec![
            "hostssl all certuser 127.0.0.1/32 cert".into(),
            "host all certuser 127.0.0.1/32 reject".into(),
            "hostssl all sslonly 127.0.0.1/32 trust".into(),
            "hostnossl all sslonly 127.0.0.1/32 reject".into(),
        ],
        files: vec![
            ("server.crt".into(), certs.read("server.crt")),
            ("server.key".into(), certs.read("server.key")),
            ("ca.crt".into(), certs.read("ca.crt")),
        ],
        ..Default::default()
    });
    admin(&cluster)
        .await
        .batch_execute("CREATE ROLE sslonly LOGIN; CREATE ROLE certuser LOGIN")
        .await
        .expect("create roles");
    let port = cluster.port();
    let env = Env::new(&[]);
    let at = |host: &str, rest: &str| {
        env.parse(&format!(
            "host={host} port={port} user=sslonly dbname=postgres {rest}"
        ))
    };
    let uses_tls = |client: Session| async move {
        scalar(
            &client,
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
        )
        .await
            == "t"
    };
    let ca = pem(&certs.path("ca.crt"));
    let other_ca = pem(&certs.path("other-ca.crt"));

    // require and prefer encrypt without checking the certificate.
    assert!(uses_tls(connect_ok(&at("127.0.0.1", "sslmode=require")).await).await);
    assert!(uses_tls(connect_ok(&at("127.0.0.1", "sslmode=prefer")).await).await);
    assert!(uses_tls(connect_ok(&at("127.0.0.1", "sslmode=allow")).await).await);

    // verify-ca checks the chain, not the name: the certificate names only localhost.
    let info = at("127.0.0.1", &format!("sslmode=verify-ca sslrootcert={ca}"));
    assert!(uses_tls(connect_ok(&info).await).await);
    // A bundle holding several CAs works too.
    let bundle = pem(&certs.path("bundle.crt"));
    connect_ok(&at(
        "127.0.0.1",
        &format!("sslmode=verify-ca sslrootcert={bundle}"),
    ))
    .await;

    // verify-full checks the name as well: 127.0.0.1 is not in the certificate...
    let e = connect_err(&at(
        "127.0.0.1",
        &format!("sslmode=verify-full sslrootcert={ca}"),
    ))
    .await;
    assert!(matches!(e.failure(), Failure::Tls { .. }), "{e:?}");
    assert_names_target(&e, "127.0.0.1", port, "postgres", "sslonly");
    let m = e.to_string();
    assert!(
        m.contains("sslmode=verify-full") && m.contains("reissued"),
        "{m}"
    );
    assert_never_advises_checking_less(&m);
    // ...localhost is, whether resolved or dialled through hostaddr.
    connect_ok(&at(
        "localhost",
        &format!("sslmode=verify-full sslrootcert={ca}"),
    ))
    .await;
    connect_ok(&at(
        "localhost",
        &format!("hostaddr=127.0.0.1 sslmode=verify-full sslrootcert={ca}"),
    ))
    .await;

    // A CA that did not sign the server's certificate.
    let e = connect_err(&at(
        "localhost",
        &format!("sslmode=verify-ca sslrootcert={other_ca}"),
    ))
    .await;
    assert!(matches!(e.failure(), Failure::Tls { .. }), "{e:?}");
    assert!(e.to_string().contains("sslrootcert"), "{e}");
    assert_never_advises_checking_less(&e.to_string());
    // As in libpq, require with a root certificate checks the chain.
    let e = connect_err(&at(
        "localhost",
        &format!("sslmode=require sslrootcert={other_ca}"),
    ))
    .await;
    assert!(matches!(e.failure(), Failure::Tls { .. }), "{e:?}");
    assert_never_advises_checking_less(&e.to_string());

    // The policy's sslmode and ca_file override the string's.
    let info = at("127.0.0.1", "sslmode=require")
        .with_sslmode("verify-ca")
        .unwrap()
        .with_root_cert(certs.path("other-ca.crt"));
    assert!(matches!(
        connect_err(&info).await.failure(),
        Failure::Tls { .. }
    ));
    let info = at("127.0.0.1", "sslmode=disable")
        .with_sslmode("verify-ca")
        .unwrap()
        .with_root_cert(certs.path("ca.crt"));
    connect_ok(&info).await;

    // sslmode=disable where pg_hba.conf only accepts TLS.
    let e = connect_err(&at("127.0.0.1", "sslmode=disable")).await;
    assert!(matches!(e.failure(), Failure::Rejected { .. }), "{e:?}");
    assert!(e.to_string().contains("sslmode=require"), "{e}");

    // A client certificate.
    let cert_user = |rest: &str| {
        env.parse(&format!(
            "host=localhost port={port} user=certuser dbname=postgres sslmode=verify-full \
             sslrootcert={ca} {rest}"
        ))
    };
    let info = cert_user(&format!(
        "sslcert={} sslkey={}",
        pem(&certs.path("client.crt")),
        pem(&certs.path("client.key"))
    ));
    let client = connect_ok(&info).await;
    assert_eq!(scalar(&client, "SELECT current_user").await, "certuser");
    let e = connect_err(&cert_user("")).await;
    assert!(matches!(e.failure(), Failure::Rejected { .. }), "{e:?}");
    // The default client certificate, ~/.postgresql/postgresql.crt and .key, as in libpq.
    let dot = env.home.path().join(".postgresql");
    std::fs::create_dir(&dot).unwrap();
    std::fs::copy(certs.path("client.crt"), dot.join("postgresql.crt")).unwrap();
    std::fs::copy(certs.path("client.key"), dot.join("postgresql.key")).unwrap();
    connect_ok(&cert_user("")).await;
    // And the default root certificate, ~/.postgresql/root.crt.
    std::fs::copy(certs.path("ca.crt"), dot.join("root.crt")).unwrap();
    connect_ok(&env.parse(&format!(
        "host=localhost port={port} user=certuser dbname=postgres sslmode=verify-full"
    )))
    .await;
}

/// The ports the refused-connection cases use: connecting is refused, and nobody else (a
/// parallel test's cluster; std's listener sets SO_REUSEADDR as PostgreSQL does) can bind
/// them while the test holds them.
#[test]
fn a_held_port_refuses_connections_and_cannot_be_taken() {
    let held = common::HeldPort::new();
    let e = std::net::TcpStream::connect(("127.0.0.1", held.port())).expect_err("refused");
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}");
    let e = TcpListener::bind(("127.0.0.1", held.port())).expect_err("taken");
    assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse, "{e}");
    let port = held.port();
    drop(held);
    // Released, the port is free again. The kernel hands a free port to the next outgoing
    // connection that needs one (the parallel tests open many), which then holds it for a
    // moment: ask again for a little while before calling the port still held.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        match TcpListener::bind(("127.0.0.1", port)) {
            Ok(_) => break,
            Err(e) if std::time::Instant::now() < deadline => {
                assert_eq!(e.kind(), std::io::ErrorKind::AddrInUse, "{e}");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("port {port} still taken 3 s after the hold ended: {e}"),
        }
    }
}
