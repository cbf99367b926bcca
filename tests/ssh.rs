//! Targets behind a bastion: `ssh = "user@host"` on a `url` target, against a real `sshd` that
//! each test starts on loopback with its own host key, authorized key and config. The client
//! side is the system's OpenSSH client reading an ssh config of the test's (`ssh_config`), so
//! what is tested is ssh's own known-hosts check and key choice.
//!
//! Each pgdrift run gets its own `TMPDIR`, where its tunnel sockets live: an ssh process whose
//! command line names that folder belongs to that run, and none may be left once it has ended.

mod common;

use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A throwaway sshd on 127.0.0.1, and what a client needs to use it.
struct Bastion {
    dir: tempfile::TempDir,
    port: u16,
    sshd: Child,
    user: String,
}

impl Bastion {
    fn start() -> Bastion {
        let sshd = find_sshd();
        let dir = tempfile::tempdir().expect("tempdir");
        let path = |name: &str| dir.path().join(name);
        for key in ["host_key", "client_key", "other_key"] {
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", ""])
                .arg("-f")
                .arg(path(key)));
        }
        std::fs::copy(path("client_key.pub"), path("authorized_keys")).expect("authorized_keys");
        if is_root() {
            // sshd's privilege separation folder.
            std::fs::create_dir_all("/run/sshd").expect("create /run/sshd");
        }
        let user = String::from_utf8(run(Command::new("id").arg("-un")).stdout)
            .expect("user name")
            .trim()
            .to_string();
        // A port that another process may take between our look and sshd's bind: retried.
        for _ in 0..5 {
            let port = free_port();
            let config = format!(
                "ListenAddress 127.0.0.1\nPort {port}\nHostKey {}\nAuthorizedKeysFile {}\n\
                 StrictModes no\nUsePAM no\nPidFile none\nPermitRootLogin prohibit-password\n\
                 AllowTcpForwarding yes\nLogLevel DEBUG1\n",
                path("host_key").display(),
                path("authorized_keys").display()
            );
            std::fs::write(path("sshd_config"), config).expect("sshd_config");
            let log = std::fs::File::create(path("sshd.log")).expect("sshd.log");
            let mut child = Command::new(&sshd)
                .args(["-D", "-e", "-f"])
                .arg(path("sshd_config"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("start sshd");
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(10) {
                let log = std::fs::read_to_string(path("sshd.log")).unwrap_or_default();
                if log.contains(&format!("Server listening on 127.0.0.1 port {port}")) {
                    let host_key = std::fs::read_to_string(path("host_key.pub")).expect("key");
                    let host_key: Vec<&str> = host_key.split_whitespace().take(2).collect();
                    std::fs::write(
                        path("known_hosts"),
                        format!("[127.0.0.1]:{port} {}\n", host_key.join(" ")),
                    )
                    .expect("known_hosts");
                    for (name, known) in [
                        ("ssh_config", "known_hosts"),
                        ("ssh_config_unknown", "unknown_hosts"),
                    ] {
                        std::fs::write(
                            path(name),
                            format!(
                                "UserKnownHostsFile {}\nGlobalKnownHostsFile /dev/null\n\
                                 UpdateHostKeys no\n",
                                path(known).display()
                            ),
                        )
                        .expect("ssh config");
                    }
                    return Bastion {
                        dir,
                        port,
                        sshd: child,
                        user,
                    };
                }
                if child.try_wait().expect("sshd status").is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "sshd did not start; its log:\n{}",
            std::fs::read_to_string(path("sshd.log")).unwrap_or_default()
        );
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A `url` target that reaches `url` through this bastion.
    fn target(&self, url: &str, identity: &str, config: &str) -> String {
        format!("url = {url:?}\n{}", self.keys(identity, config))
    }

    /// The target keys that reach a server through this bastion.
    fn keys(&self, identity: &str, config: &str) -> String {
        format!(
            "ssh = \"{}@127.0.0.1\"\nssh_port = {}\nssh_identity = {:?}\nssh_config = {:?}\n",
            self.user,
            self.port,
            self.path(identity).display().to_string(),
            self.path(config).display().to_string()
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.path("sshd.log")).unwrap_or_default()
    }

    /// Sessions the bastion has accepted so far.
    fn logins(&self) -> usize {
        self.log().matches("Accepted publickey").count()
    }
}

impl Drop for Bastion {
    fn drop(&mut self) {
        let _ = self.sshd.kill();
        let _ = self.sshd.wait();
    }
}

fn find_sshd() -> PathBuf {
    let candidates = ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd"];
    if let Some(found) = candidates.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return found;
    }
    let on_path = std::env::var_os("PATH").map(|p| {
        std::env::split_paths(&p)
            .map(|d| d.join("sshd"))
            .find(|p| p.is_file())
    });
    on_path.flatten().unwrap_or_else(|| {
        panic!(
            "the ssh tests need the OpenSSH server (sshd) and found none: install it (Debian/\
             Ubuntu: apt-get install openssh-server)"
        )
    })
}

fn is_root() -> bool {
    // SAFETY: getuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A port on which nothing listens and that nobody else can take while this lives: a TCP
/// socket bound without `listen`, so connections to it are refused.
fn refusing_port() -> (OwnedFd, u16) {
    // SAFETY: plain socket calls on a socket this function owns.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0);
        assert!(fd >= 0, "socket");
        let mut addr: libc::sockaddr_in = std::mem::zeroed();
        addr.sin_family = libc::AF_INET as libc::sa_family_t;
        addr.sin_addr.s_addr = u32::from_ne_bytes([127, 0, 0, 1]);
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, &addr as *const _ as *const libc::sockaddr, len),
            0,
            "bind"
        );
        let mut bound: libc::sockaddr_in = std::mem::zeroed();
        let mut bound_len = len;
        libc::getsockname(
            fd,
            &mut bound as *mut _ as *mut libc::sockaddr,
            &mut bound_len,
        );
        (OwnedFd::from_raw_fd(fd), u16::from_be(bound.sin_port))
    }
}

/// A folder serving as one run's `TMPDIR`, holding its policy and reports.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn policy(&self, text: &str) -> PathBuf {
        let path = self.path().join("schema-policy.toml");
        std::fs::write(&path, text).expect("write the policy");
        path
    }

    fn spawn(&self, policy: &Path, json: &str) -> Child {
        Command::new(assert_cmd::cargo::cargo_bin("pgdrift"))
            .args(["check", "--policy"])
            .arg(policy)
            .arg("--json")
            .arg(self.path().join(json))
            .env("TMPDIR", self.path())
            .env("NO_COLOR", "1")
            .env_remove("PGPASSWORD")
            .env_remove("SSH_AUTH_SOCK")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn pgdrift")
    }

    fn run(&self, policy: &Path) -> Output {
        common::finish(self.spawn(policy, "report.json"))
    }

    /// ssh processes whose command line names this sandbox: the tunnels of its run.
    fn ssh_processes(&self) -> Vec<u32> {
        let needle = self.path().to_string_lossy().into_owned();
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").expect("read /proc").flatten() {
            let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
                continue;
            };
            let args: Vec<String> = cmdline
                .split(|b| *b == 0)
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let is_ssh = args
                .first()
                .is_some_and(|a| a == "ssh" || a.ends_with("/ssh"));
            if is_ssh && args.iter().any(|a| a.contains(&needle)) && alive(pid) {
                found.push(pid);
            }
        }
        found
    }

    /// The run's tunnel socket folders.
    fn socket_folders(&self) -> Vec<PathBuf> {
        std::fs::read_dir(self.path())
            .expect("read the sandbox")
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with("pgdrift-ssh-"))
            .map(|e| e.path())
            .collect()
    }

    fn assert_nothing_left(&self, when: &str) {
        let processes = wait_until(Duration::from_secs(5), || self.ssh_processes().is_empty());
        assert!(
            processes,
            "{when}: ssh processes left: {:?}",
            self.ssh_processes()
        );
        assert_eq!(self.socket_folders(), Vec::<PathBuf>::new(), "{when}");
    }
}

fn alive(pid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    !stat.is_empty()
        && !stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    done()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The verdict of a JSON report, without what differs between two runs of the same check.
fn verdict(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read the JSON report");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON report");
    strip_volatile(&mut json);
    json
}

fn strip_volatile(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            map.retain(|k, _| {
                ![
                    "generated_at",
                    "duration_ms",
                    "timings",
                    "tool",
                    "policy_line",
                ]
                .contains(&k.as_str())
            });
            map.values_mut().for_each(strip_volatile);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(strip_volatile),
        _ => {}
    }
}

fn two_databases() -> (common::TestDb, common::TestDb) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let expected = common::db_with(
            "ssh_expected",
            "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(10,2) NOT NULL);\n\
             CREATE TABLE customers (id bigint PRIMARY KEY, name text);\n",
        )
        .await;
        let actual = common::db_with(
            "ssh_actual",
            "CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2));\n",
        )
        .await;
        (expected, actual)
    })
}

fn policy_text(expected_url: &str, actual: &str) -> String {
    format!(
        "[targets.expected]\nurl = {expected_url:?}\n\n[targets.actual]\n{actual}\n\
         [[check]]\nname = \"behind the bastion\"\nexpected = \"expected\"\nactual = \"actual\"\n"
    )
}

#[test]
fn a_check_through_the_tunnel_gives_the_same_result_as_direct() {
    let bastion = Bastion::start();
    let (expected, actual) = two_databases();
    let port = common::base_url()
        .rsplit(':')
        .next()
        .expect("port")
        .to_string();

    let direct = Sandbox::new();
    let policy = direct.policy(&policy_text(
        &expected.url(),
        &format!("url = {:?}\n", actual.url()),
    ));
    let direct_out = direct.run(&policy);
    assert_eq!(direct_out.status.code(), Some(1), "{}", text(&direct_out));

    let tunnelled = Sandbox::new();
    let policy = tunnelled.policy(&policy_text(
        &expected.url(),
        &bastion.target(&actual.url(), "client_key", "ssh_config"),
    ));
    let out = tunnelled.run(&policy);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert_eq!(
        verdict(&tunnelled.path().join("report.json")),
        verdict(&direct.path().join("report.json"))
    );
    // It went through the bastion: sshd opened the forward to the database server.
    assert_eq!(bastion.logins(), 1, "{}", bastion.log());
    assert!(
        bastion
            .log()
            .contains(&format!("target 127.0.0.1 port {port}")),
        "{}",
        bastion.log()
    );
    tunnelled.assert_nothing_left("after a successful run");
}

#[test]
fn a_fleet_shares_one_tunnel() {
    let bastion = Bastion::start();
    let (expected, actual) = two_databases();
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&policy_text(
        &expected.url(),
        &format!(
            "url = {:?}\ndatabases = [{:?}, {:?}]\n{}",
            actual.url(),
            expected.name,
            actual.name,
            bastion.keys("client_key", "ssh_config")
        ),
    ));
    let out = sandbox.run(&policy);
    // One member matches, the other drifts.
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report = verdict(&sandbox.path().join("report.json"));
    let mut members: Vec<(String, String)> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["actual"].as_str().unwrap_or_default().to_string(),
                c["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    members.sort();
    let mut want = vec![
        (format!("actual/{}", expected.name), "clean".to_string()),
        (format!("actual/{}", actual.name), "drift".to_string()),
    ];
    want.sort();
    assert_eq!(members, want);
    assert_eq!(bastion.logins(), 1, "{}", bastion.log());
    sandbox.assert_nothing_left("after a fleet run");
}

#[test]
fn an_unknown_host_key_is_refused_and_not_learned() {
    let bastion = Bastion::start();
    let (expected, actual) = two_databases();
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&policy_text(
        &expected.url(),
        &bastion.target(&actual.url(), "client_key", "ssh_config_unknown"),
    ));
    let out = sandbox.run(&policy);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!(
            "cannot open an ssh tunnel through {}@127.0.0.1 (port {}): host key verification \
             failed",
            bastion.user, bastion.port
        )),
        "{all}"
    );
    let learned = std::fs::read_to_string(bastion.path("unknown_hosts")).unwrap_or_default();
    assert_eq!(learned, "", "nothing is added to known_hosts");
    assert_eq!(bastion.logins(), 0, "{}", bastion.log());
    sandbox.assert_nothing_left("after a refused host key");
}

#[test]
fn a_wrong_key_says_permission_denied() {
    let bastion = Bastion::start();
    let (expected, actual) = two_databases();
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&policy_text(
        &expected.url(),
        &bastion.target(&actual.url(), "other_key", "ssh_config"),
    ));
    let out = sandbox.run(&policy);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!(
            "cannot open an ssh tunnel through {}@127.0.0.1 (port {}): permission denied",
            bastion.user, bastion.port
        )) && all.contains("the ssh_identity key ")
            && all.contains("other_key. Check"),
        "{all}"
    );
    sandbox.assert_nothing_left("after a refused key");
}

#[test]
fn a_server_the_bastion_cannot_reach_is_named() {
    let bastion = Bastion::start();
    let (expected, _) = two_databases();
    let (_reserved, closed) = refusing_port();
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&policy_text(
        &expected.url(),
        &format!(
            "url = \"postgresql://nobody@127.0.0.1:{closed}/app?sslmode=disable\"\n{}",
            bastion.keys("client_key", "ssh_config")
        ),
    ));
    let out = sandbox.run(&policy);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains(&format!(
            "on 127.0.0.1:{closed} through the ssh tunnel via {}@127.0.0.1 (port {}): the \
             bastion could not open a connection to the database server: connect failed: \
             Connection refused",
            bastion.user, bastion.port
        )),
        "{all}"
    );
    sandbox.assert_nothing_left("after a failed connection");

    // The server's own refusal comes through as it is, with the way it was reached.
    let sandbox = Sandbox::new();
    let missing = format!("{}/no_such_database?sslmode=disable", common::base_url());
    let policy = sandbox.policy(&policy_text(
        &expected.url(),
        &bastion.target(&missing, "client_key", "ssh_config"),
    ));
    let out = sandbox.run(&policy);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("database \"no_such_database\" does not exist")
            && all.contains(&format!(
                "(through the ssh tunnel via {}@127.0.0.1 (port {}))",
                bastion.user, bastion.port
            )),
        "{all}"
    );
    sandbox.assert_nothing_left("after a refused database");
}

/// A run waiting on a server behind the tunnel (one that accepts and never answers) is
/// stopped by SIGTERM, and by `kill -9`: its ssh goes with it.
#[test]
fn a_stopped_run_leaves_no_ssh_behind() {
    let bastion = Bastion::start();
    let (expected, _) = two_databases();
    // Accepts connections (the kernel does, into the backlog) and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let silent_port = silent.local_addr().expect("addr").port();
    for (signo, name) in [(libc::SIGTERM, "SIGTERM"), (libc::SIGKILL, "SIGKILL")] {
        let sandbox = Sandbox::new();
        let policy = sandbox.policy(&policy_text(
            &expected.url(),
            &format!(
                "url = \"postgresql://nobody@127.0.0.1:{silent_port}/app?sslmode=disable&\
                 connect_timeout=60\"\n{}",
                bastion.keys("client_key", "ssh_config")
            ),
        ));
        let child = sandbox.spawn(&policy, "report.json");
        let up = wait_until(Duration::from_secs(30), || {
            !sandbox.ssh_processes().is_empty()
                && sandbox
                    .socket_folders()
                    .iter()
                    .any(|f| f.join("0").exists())
        });
        assert!(up, "{name}: the tunnel did not come up");
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, signo) };
        let out = common::finish(child);
        if signo == libc::SIGTERM {
            assert_eq!(out.status.code(), Some(2), "{}", text(&out));
            assert!(
                text(&out).contains("interrupted by SIGTERM"),
                "{}",
                text(&out)
            );
            sandbox.assert_nothing_left("after SIGTERM");
        } else {
            // Nothing of pgdrift's runs after kill -9; ssh gets its death signal.
            let gone = wait_until(Duration::from_secs(5), || {
                sandbox.ssh_processes().is_empty()
            });
            assert!(
                gone,
                "after kill -9: ssh left: {:?}",
                sandbox.ssh_processes()
            );
        }
    }
    drop(silent);
}

/// A stand-in for a server that lets a client in and then stops answering (as a stopped or cut
/// off one would): it takes the startup message (refusing TLS), says authentication is done and
/// it is ready, and from then on reads whatever comes and never replies. Each connection it
/// takes is counted, and counted again once the client has closed it.
struct SilentAfterLogin {
    port: u16,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    closed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl SilentAfterLogin {
    fn start() -> SilentAfterLogin {
        use std::io::{Read, Write};
        use std::sync::atomic::Ordering;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let accepted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let closed = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (counted, ended) = (accepted.clone(), closed.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                counted.fetch_add(1, Ordering::SeqCst);
                let ended = ended.clone();
                std::thread::spawn(move || {
                    let startup = |stream: &mut std::net::TcpStream| -> std::io::Result<u32> {
                        let mut len = [0u8; 4];
                        stream.read_exact(&mut len)?;
                        let mut body = vec![0u8; (u32::from_be_bytes(len) as usize).max(8) - 4];
                        stream.read_exact(&mut body)?;
                        Ok(u32::from_be_bytes([body[0], body[1], body[2], body[3]]))
                    };
                    let mut code = startup(&mut stream);
                    // SSLRequest: no TLS here, then the real startup message.
                    if matches!(code, Ok(80_877_103)) {
                        if stream.write_all(b"N").is_err() {
                            return;
                        }
                        code = startup(&mut stream);
                    }
                    if code.is_ok() {
                        // AuthenticationOk, then ReadyForQuery (idle).
                        let _ = stream.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 0]);
                        let _ = stream.write_all(&[b'Z', 0, 0, 0, 5, b'I']);
                        let mut sink = [0u8; 4096];
                        while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                    }
                    ended.fetch_add(1, Ordering::SeqCst);
                });
            }
        });
        SilentAfterLogin {
            port,
            accepted,
            closed,
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    fn closed(&self) -> usize {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The client-side deadline holds through the tunnel: a server behind the bastion that lets
/// pgdrift in and then never answers fails its target on `read_timeout`, naming the stage, the
/// other target is still read, and the connection, the tunnel and its socket folder are gone
/// when the run ends.
#[test]
fn read_timeout_holds_through_the_tunnel() {
    let bastion = Bastion::start();
    let (expected, _) = two_databases();
    let silent = SilentAfterLogin::start();
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&format!(
        "[settings]\nread_timeout = \"2s\"\n\n{}",
        policy_text(
            &expected.url(),
            &format!(
                "url = \"postgresql://nobody@127.0.0.1:{}/app?sslmode=disable\"\n{}",
                silent.port,
                bastion.keys("client_key", "ssh_config")
            ),
        )
    ));
    let started = Instant::now();
    let out = sandbox.run(&policy);
    let elapsed = started.elapsed();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("reading the schema of host 127.0.0.1:")
            && all.contains("the server did not answer within 2s (read_timeout)"),
        "{all}"
    );
    // Far below a hang, and below the server's own statement_timeout (60 s) and ssh's 30 s.
    assert!(elapsed < Duration::from_secs(25), "took {elapsed:?}\n{all}");
    assert_eq!(silent.accepted(), 1, "one connection, through the bastion");
    assert!(
        bastion
            .log()
            .contains(&format!("target 127.0.0.1 port {}", silent.port)),
        "{}",
        bastion.log()
    );
    let report = verdict(&sandbox.path().join("report.json"));
    assert_eq!(report["status"].as_str(), Some("incomplete"), "{report}");
    assert_eq!(
        report["checks"][0]["status"].as_str(),
        Some("error"),
        "{report}"
    );
    assert!(
        report["checks"][0]["errors"][0]
            .as_str()
            .is_some_and(|e| e.starts_with("target `actual`: reading the schema of host")),
        "{report}"
    );
    // The connection given up on was closed, not left waiting for a reply.
    assert!(
        wait_until(Duration::from_secs(5), || silent.closed() == 1),
        "the silent server's connection stayed open"
    );
    sandbox.assert_nothing_left("after a read that met read_timeout");
}

/// TLS runs end to end, from pgdrift to the database server, inside the tunnel: the server
/// takes this user over TLS only, and `verify-full` checks the certificate against the host
/// named in the URL (as the bastion resolves it), not against the tunnel's local end.
#[test]
fn tls_goes_through_the_tunnel_to_the_host_named() {
    use pgdrift::source::cluster::{Cluster, ClusterOptions};
    let bastion = Bastion::start();
    let certs = common::certs::Certs::make();
    let read = |name: &str| certs.read(name);
    let cluster = Cluster::start_with(&ClusterOptions {
        settings: vec![
            ("ssl".into(), "on".into()),
            ("ssl_cert_file".into(), "'server.crt'".into()),
            ("ssl_key_file".into(), "'server.key'".into()),
        ],
        hba_lines: vec![
            "hostssl all all 127.0.0.1/32 trust".into(),
            "hostssl all all ::1/128 trust".into(),
            "host all all 0.0.0.0/0 reject".into(),
            "host all all ::/0 reject".into(),
        ],
        files: vec![
            ("server.crt".into(), read("server.crt")),
            ("server.key".into(), read("server.key")),
        ],
        ..Default::default()
    })
    .unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"));
    let ca = certs.path("ca.crt").display().to_string();
    let target = |host: &str| {
        format!(
            "url = \"postgresql://{}@{host}:{}/postgres?sslmode=verify-full&sslrootcert={ca}\"\n{}",
            cluster.superuser(),
            cluster.port(),
            bastion.keys("client_key", "ssh_config")
        )
    };
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&format!(
        "[targets.expected]\n{}\n[targets.actual]\n{}\n\
         [[check]]\nexpected = \"expected\"\nactual = \"actual\"\n",
        target("localhost"),
        target("localhost")
    ));
    let out = sandbox.run(&policy);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // Both targets went through one tunnel.
    assert_eq!(bastion.logins(), 1, "{}", bastion.log());
    sandbox.assert_nothing_left("after a TLS run");

    // The certificate names localhost only: through the tunnel, 127.0.0.1 is still checked.
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&format!(
        "[targets.expected]\n{}\n[targets.actual]\n{}\n\
         [[check]]\nexpected = \"expected\"\nactual = \"actual\"\n",
        target("localhost"),
        target("127.0.0.1")
    ));
    let out = sandbox.run(&policy);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(2), "{all}");
    assert!(
        all.contains("TLS failed with sslmode=verify-full")
            && all.contains("does not name the host connected to")
            && all.contains(&format!(
                "through the ssh tunnel via {}@127.0.0.1",
                bastion.user
            )),
        "{all}"
    );
    sandbox.assert_nothing_left("after a TLS failure");
}

/// Every host of a multi-host URL gets its own forward in the one tunnel, tried in order as
/// libpq would; a socket folder in the URL is a server socket on the bastion.
#[test]
fn each_host_of_the_url_gets_its_forward() {
    use pgdrift::source::cluster::Cluster;
    let bastion = Bastion::start();
    let cluster = Cluster::start().unwrap_or_else(|e| panic!("cannot start PostgreSQL: {e}"));
    let (port, user) = (cluster.port(), cluster.superuser().to_string());
    let (_reserved, closed) = refusing_port();
    let keys = bastion.keys("client_key", "ssh_config");

    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&policy_text(
        &cluster.url("postgres"),
        &format!(
            "url = \"postgresql://{user}@127.0.0.1:{closed},127.0.0.1:{port}/postgres?\
             sslmode=disable\"\n{keys}"
        ),
    ));
    let out = sandbox.run(&policy);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = bastion.log();
    assert!(
        log.contains(&format!("target 127.0.0.1 port {closed}"))
            && log.contains(&format!("target 127.0.0.1 port {port}")),
        "{log}"
    );
    assert_eq!(bastion.logins(), 1, "{log}");
    sandbox.assert_nothing_left("after a multi-host run");

    // The throwaway cluster's socket folder is its directory.
    let socket_folder = cluster
        .data_dir()
        .parent()
        .expect("cluster dir")
        .to_path_buf();
    let sandbox = Sandbox::new();
    let policy = sandbox.policy(&policy_text(
        &cluster.url("postgres"),
        &format!(
            "url = \"host={} port={port} user={user} dbname=postgres\"\n{keys}",
            socket_folder.display()
        ),
    ));
    let out = sandbox.run(&policy);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let log = bastion.log();
    assert!(
        log.contains(
            &socket_folder
                .join(format!(".s.PGSQL.{port}"))
                .display()
                .to_string()
        ),
        "{log}"
    );
    sandbox.assert_nothing_left("after a run to a socket on the bastion");
}
