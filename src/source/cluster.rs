//! A throwaway local PostgreSQL cluster: `initdb` and `postgres` in a temporary directory,
//! listening on a free loopback port. SQL-file targets are applied to it, and the test harness
//! uses it too.
//!
//! PostgreSQL refuses to run as root, and CI runs as root: when we are root, the server runs as an
//! unprivileged user (`postgres` if it exists, else `nobody`, or `PGDRIFT_CLUSTER_USER`). The
//! server runs in its own session (terminal Ctrl-C reaches only pgdrift, which stops it in order)
//! and is told to quit if the thread that started it dies, so a killed pgdrift leaves no server
//! behind. Drop stops the server and removes the directory.
//!
//! A killed pgdrift (`kill -9`) cannot remove its directory, so each run holds an exclusive
//! `flock` on a lock file inside it for the cluster's whole life (the kernel releases it when the
//! process dies, also across pid namespaces sharing one `/tmp`), and `remove_leftovers` removes
//! the directories whose lock nobody holds.

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The superuser of a throwaway cluster.
pub const SUPERUSER: &str = "postgres";

/// How the temporary directory of every throwaway cluster begins.
const DIR_PREFIX: &str = "pgdrift-cluster-";

pub use super::cluster_template::TemplateCache;

// The lock file inside a cluster directory, locked by the run that owns the cluster.
use super::run_dir::LOCK_FILE;

#[derive(Debug)]
pub struct ClusterError(String);

impl fmt::Display for ClusterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ClusterError {}

fn err(message: impl Into<String>) -> ClusterError {
    ClusterError(message.into())
}

/// Extra settings for a cluster, for tests that need TLS or password authentication.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// `name = value` lines appended to `postgresql.conf`.
    pub settings: Vec<(String, String)>,
    /// Lines put at the top of `pg_hba.conf` (before the trust rules).
    pub hba_lines: Vec<String>,
    /// Files copied into the data directory before start (name, contents), owned by the server
    /// user with mode 0600 — for `ssl_cert_file`/`ssl_key_file`.
    pub files: Vec<(String, Vec<u8>)>,
    /// The server binaries to use instead of the ones `find_bindir` finds (to run another
    /// major version).
    pub bindir: Option<PathBuf>,
    /// Where `initdb`'s result is kept for the next cluster.
    pub template_cache: TemplateCache,
    /// The folder the cluster's directory goes in; `None`: the system's temporary directory.
    pub parent: Option<PathBuf>,
}

/// A running throwaway cluster.
pub struct Cluster {
    dir: Option<tempfile::TempDir>,
    /// Held locked until the directory is gone.
    lock: Option<File>,
    port: u16,
    stop: Option<mpsc::Sender<()>>,
    keeper: Option<JoinHandle<()>>,
    bindir: PathBuf,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("port", &self.port)
            .field("data_dir", &self.data_dir())
            .finish()
    }
}

impl Cluster {
    pub fn start() -> Result<Cluster, ClusterError> {
        Cluster::start_with(&ClusterOptions::default())
    }

    pub fn start_with(options: &ClusterOptions) -> Result<Cluster, ClusterError> {
        let bindir = match &options.bindir {
            Some(dir) => dir.clone(),
            None => find_bindir()?,
        };
        let runner = Runner::for_current_user()?;
        let parent = options.parent.clone().unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::Builder::new()
            .prefix(DIR_PREFIX)
            .tempdir_in(&parent)
            .map_err(|e| {
                err(format!(
                    "cannot create a temporary directory in {}: {e}",
                    parent.display()
                ))
            })?;
        let lock = lock_directory(dir.path())?;
        runner.give(dir.path())?;
        let data = dir.path().join("data");

        let template = options.template_cache.entry(&bindir, INITDB_ARGS);
        let give = |path: &Path| runner.give(path).map_err(|e| e.0);
        let mut from_template = template
            .as_ref()
            .is_some_and(|entry| entry.copy_to(&data, &give));
        if !from_template {
            initdb(&bindir, &data, &runner)?;
            if let Some(entry) = &template {
                entry.store(&data);
            }
        }
        configure(&data, options, &runner)?;

        // Another process may take the port between our probe and the server's bind; retry.
        let mut last_error = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            match launch(&bindir, &data, dir.path(), port, &runner) {
                Ok((stop, keeper)) => {
                    return Ok(Cluster {
                        dir: Some(dir),
                        lock: Some(lock),
                        port,
                        stop: Some(stop),
                        keeper: Some(keeper),
                        bindir,
                    });
                }
                Err(e) if from_template => {
                    // A copy the server cannot start from: forget the entry, start afresh.
                    if let Some(entry) = &template {
                        entry.remove();
                    }
                    std::fs::remove_dir_all(&data)
                        .map_err(|e| err(format!("cannot remove {}: {e}", data.display())))?;
                    initdb(&bindir, &data, &runner)?;
                    configure(&data, options, &runner)?;
                    from_template = false;
                    last_error = e.0;
                }
                Err(e) => last_error = e.0,
            }
        }
        Err(err(last_error))
    }

    pub fn host(&self) -> &str {
        "127.0.0.1"
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn superuser(&self) -> &str {
        SUPERUSER
    }

    /// The folder that holds the server binaries this cluster runs.
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    pub fn data_dir(&self) -> PathBuf {
        match &self.dir {
            Some(d) => d.path().join("data"),
            None => PathBuf::new(),
        }
    }

    /// A connection URL for `database` as the superuser (trust authentication, no password).
    pub fn url(&self, database: &str) -> String {
        format!(
            "postgresql://{}@{}:{}/{}?sslmode=disable",
            SUPERUSER,
            self.host(),
            self.port,
            percent_encoding::utf8_percent_encode(database, percent_encoding::NON_ALPHANUMERIC)
        )
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(keeper) = self.keeper.take() {
            let _ = keeper.join();
        }
        if let Some(dir) = self.dir.take() {
            let _ = dir.close();
        }
        // Unlocked only now that the directory is gone.
        drop(self.lock.take());
    }
}

/// Create the lock file of a new cluster directory and lock it.
fn lock_directory(dir: &Path) -> Result<File, ClusterError> {
    let note = format!(
        "pgdrift throwaway cluster of process {}; removed by the next pgdrift run once unlocked",
        std::process::id()
    );
    super::run_dir::lock(dir, &note).map_err(|e| {
        err(format!(
            "cannot create {}: {e}",
            dir.join(LOCK_FILE).display()
        ))
    })
}

pub use super::run_dir::Leftover;

/// Remove the throwaway cluster directories that dead runs left in the folders clusters go
/// in: the temporary directory and the memory filesystem.
pub fn remove_leftovers() -> Vec<Leftover> {
    let mut parents = vec![std::env::temp_dir()];
    if Path::new(MEMORY_DIR).is_dir() && !parents.iter().any(|p| p == Path::new(MEMORY_DIR)) {
        parents.push(PathBuf::from(MEMORY_DIR));
    }
    parents
        .iter()
        .flat_map(|p| remove_leftovers_in(p))
        .collect()
}

/// The memory filesystem of Linux systems.
const MEMORY_DIR: &str = "/dev/shm";

/// SQL files up to this size are applied to a cluster in memory, when there is room: the
/// cases where the cluster's fixed cost is most of a check.
const MEMORY_MAX_SQL: u64 = 4 << 20;

/// The room the memory filesystem must have for a cluster to go there: 40 MB of `initdb`
/// result, 8 MB per scratch database, the load's catalog rows and its write-ahead log (the
/// Sourcegraph schema, 0.4 MB of SQL, peaked at 70 MB: 4 MB of SQL would be some 350 MB), with
/// a wide margin.
const MEMORY_MIN_FREE: u64 = 2 << 30;

/// Where the throwaway cluster for `sql_bytes` of SQL files goes: the folder `TMPDIR` names
/// when it is set; else the memory filesystem when the files are small and it has room; else
/// the system's temporary directory (`None`). Creating a cluster's thousand files costs 0.5 s
/// on some disks, 0.01 s in memory, and for a small schema that is most of the check.
pub fn parent_for(sql_bytes: u64) -> Option<PathBuf> {
    let tmpdir_set = std::env::var_os("TMPDIR").is_some_and(|v| !v.is_empty());
    let memory_free = || free_bytes(Path::new(MEMORY_DIR));
    choose_parent(tmpdir_set, sql_bytes, memory_free).then(|| PathBuf::from(MEMORY_DIR))
}

/// Whether the cluster goes to the memory filesystem (`memory_free` asked only if it matters).
fn choose_parent(
    tmpdir_set: bool,
    sql_bytes: u64,
    memory_free: impl FnOnce() -> Option<u64>,
) -> bool {
    !tmpdir_set
        && sql_bytes <= MEMORY_MAX_SQL
        && memory_free().is_some_and(|f| f >= MEMORY_MIN_FREE)
}

/// The bytes an unprivileged user can still write to the filesystem of `dir`, if it is a
/// folder everyone may create files in (as `/dev/shm` is, mode 1777).
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(dir).ok()?;
    if !meta.is_dir() || meta.permissions().mode() & 0o1777 != 0o1777 {
        return None;
    }
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut stat: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is a NUL-terminated string and `stat` a valid statvfs to fill.
    if unsafe { libc::statvfs(path.as_ptr(), &mut stat) } != 0 {
        return None;
    }
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Remove the cluster directories in `parent` whose owner is gone (`run_dir::sweep`), except
/// those a server still answers in.
pub fn remove_leftovers_in(parent: &Path) -> Vec<Leftover> {
    super::run_dir::sweep(parent, DIR_PREFIX, server_answers_in)
}

/// Whether a server accepts connections on a socket in the directory (the socket directory of
/// a throwaway cluster is the cluster directory). Asked through the socket rather than by the
/// pid in `postmaster.pid`, which means nothing in another pid namespace.
fn server_answers_in(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.starts_with(".s.PGSQL.") && !name.ends_with(".lock")
        })
        .any(|e| UnixStream::connect(e.path()).is_ok())
}

/// Find the folder holding `initdb` and `postgres`: `PGDRIFT_PG_BINDIR`, then `PATH`, then
/// `pg_config --bindir`, then the newest `/usr/lib/postgresql/*/bin`.
pub fn find_bindir() -> Result<PathBuf, ClusterError> {
    let has_server = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(dir) = std::env::var_os("PGDRIFT_PG_BINDIR") {
        let dir = PathBuf::from(dir);
        if has_server(&dir) {
            return Ok(dir);
        }
        return Err(err(format!(
            "PGDRIFT_PG_BINDIR is {} but it holds no initdb and postgres",
            dir.display()
        )));
    }
    if let Some(path) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&path).find(|d| has_server(d))
    {
        return Ok(dir);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has_server(&dir) {
            return Ok(dir);
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_server(&bin).then_some((major, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, dir)| dir).ok_or_else(|| {
        err(
            "PostgreSQL server binaries (initdb, postgres) were not found on PATH, in \
             `pg_config --bindir` or in /usr/lib/postgresql/*/bin. Install the PostgreSQL server \
             (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql`) or \
             set PGDRIFT_PG_BINDIR to the folder that holds initdb and postgres.",
        )
    })
}

/// Who the server processes run as.
struct Runner {
    /// `Some((uid, gid))` when we are root and must drop privileges.
    drop_to: Option<(u32, u32)>,
}

impl Runner {
    fn for_current_user() -> Result<Runner, ClusterError> {
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(Runner { drop_to: None });
        }
        let candidates: Vec<String> = match std::env::var("PGDRIFT_CLUSTER_USER") {
            Ok(user) => vec![user],
            Err(_) => vec!["postgres".into(), "nobody".into()],
        };
        for user in &candidates {
            if let Some(ids) = user_ids(user) {
                return Ok(Runner { drop_to: Some(ids) });
            }
        }
        Err(err(format!(
            "running as root, and PostgreSQL refuses to run as root, but none of the users {} \
             exists to run the throwaway server as; create one or set PGDRIFT_CLUSTER_USER",
            candidates.join(", ")
        )))
    }

    /// Hand a directory to the server user.
    fn give(&self, path: &Path) -> Result<(), ClusterError> {
        if let Some((uid, gid)) = self.drop_to {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(|e| err(format!("cannot chown {}: {e}", path.display())))?;
        }
        Ok(())
    }

    /// Make `cmd` run as the server user, in its own session; with `tie_to_parent`, the process
    /// gets SIGQUIT (immediate shutdown) when the thread that spawned it dies.
    fn prepare<'c>(&self, cmd: &'c mut Command, tie_to_parent: bool) -> &'c mut Command {
        let drop_to = self.drop_to;
        cmd.env_remove("PGDATA")
            .env_remove("PGPORT")
            .env_remove("PGHOST");
        if drop_to.is_some() {
            // The user has no usable home; keep tools from looking at root's.
            cmd.env("HOME", "/tmp");
        }
        // SAFETY: the closure runs between fork and exec and calls only async-signal-safe
        // functions (setsid, setgroups, setgid, setuid, prctl, getppid, _exit).
        unsafe {
            cmd.pre_exec(move || {
                libc::setsid();
                if let Some((uid, gid)) = drop_to
                    && (libc::setgroups(0, std::ptr::null()) != 0
                        || libc::setgid(gid) != 0
                        || libc::setuid(uid) != 0)
                {
                    return Err(std::io::Error::last_os_error());
                }
                if tie_to_parent {
                    // After the uid change: changing credentials clears the death signal.
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGQUIT as libc::c_ulong);
                    if libc::getppid() == 1 {
                        libc::_exit(1);
                    }
                }
                Ok(())
            });
        }
        cmd
    }
}

fn user_ids(user: &str) -> Option<(u32, u32)> {
    let id = |flag: &str| -> Option<u32> {
        let out = Command::new("id").args([flag, user]).output().ok()?;
        if !out.status.success() {
            return None;
        }
        String::from_utf8_lossy(&out.stdout).trim().parse().ok()
    };
    Some((id("-u")?, id("-g")?))
}

/// `initdb`'s arguments after `-D DIR`.
const INITDB_ARGS: &[&str] = &[
    "-U",
    SUPERUSER,
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--locale=C",
    "--no-sync",
];

fn initdb(bindir: &Path, data: &Path, runner: &Runner) -> Result<(), ClusterError> {
    let mut initdb = Command::new(bindir.join("initdb"));
    initdb.arg("-D").arg(data).args(INITDB_ARGS);
    let out = runner
        .prepare(&mut initdb, false)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            err(format!(
                "cannot run {}: {e}",
                bindir.join("initdb").display()
            ))
        })?;
    if !out.status.success() {
        return Err(err(format!(
            "initdb failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

fn configure(data: &Path, options: &ClusterOptions, runner: &Runner) -> Result<(), ClusterError> {
    let write = |name: &str, contents: &[u8]| -> Result<(), ClusterError> {
        let path = data.join(name);
        std::fs::write(&path, contents)
            .map_err(|e| err(format!("cannot write {}: {e}", path.display())))?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| err(format!("cannot chmod {}: {e}", path.display())))?;
        runner.give(&path)
    };
    let mut conf = std::fs::read_to_string(data.join("postgresql.conf")).unwrap_or_default();
    conf.push_str("\n# pgdrift throwaway cluster\n");
    for (name, value) in [
        ("fsync", "off"),
        ("synchronous_commit", "off"),
        ("full_page_writes", "off"),
        ("max_connections", "200"),
        ("log_min_messages", "warning"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .chain(options.settings.iter().cloned())
    {
        conf.push_str(&format!("{name} = {value}\n"));
    }
    write("postgresql.conf", conf.as_bytes())?;
    if !options.hba_lines.is_empty() {
        let hba = std::fs::read_to_string(data.join("pg_hba.conf")).unwrap_or_default();
        let mut lines = options.hba_lines.join("\n");
        lines.push('\n');
        lines.push_str(&hba);
        write("pg_hba.conf", lines.as_bytes())?;
    }
    for (name, contents) in &options.files {
        write(name, contents)?;
    }
    Ok(())
}

fn free_port() -> Result<u16, ClusterError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| err(format!("cannot find a free loopback port: {e}")))
}

type Keeper = (mpsc::Sender<()>, JoinHandle<()>);

/// Start `postgres` from a dedicated thread that lives as long as the server (the death signal
/// is tied to the spawning thread, not the process), and wait until it accepts connections.
fn launch(
    bindir: &Path,
    data: &Path,
    socket_dir: &Path,
    port: u16,
    runner: &Runner,
) -> Result<Keeper, ClusterError> {
    let log_path = socket_dir.join("server.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| err(format!("cannot create {}: {e}", log_path.display())))?;
    runner.give(&log_path)?;
    let mut cmd = Command::new(bindir.join("postgres"));
    cmd.arg("-D")
        .arg(data)
        .arg("-p")
        .arg(port.to_string())
        .args(["-c", "listen_addresses=127.0.0.1", "-c"])
        .arg({
            let mut s = OsString::from("unix_socket_directories=");
            s.push(socket_dir);
            s
        })
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
    runner.prepare(&mut cmd, true);

    let (started_tx, started_rx) = mpsc::channel::<Result<u32, String>>();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let keeper = std::thread::Builder::new()
        .name("pgdrift-cluster".into())
        .spawn(move || {
            let mut child: Child = match cmd.spawn() {
                Ok(c) => c,
                Err(e) => {
                    let _ = started_tx.send(Err(format!("cannot start postgres: {e}")));
                    return;
                }
            };
            let _ = started_tx.send(Ok(child.id()));
            // Wait for Drop (or for the owner to vanish), then shut down at once: the cluster
            // is thrown away, so there is nothing to checkpoint.
            let _ = stop_rx.recv();
            stop_child(&mut child);
        })
        .map_err(|e| err(format!("cannot start the cluster thread: {e}")))?;

    let pid = match started_rx.recv() {
        Ok(Ok(pid)) => pid,
        Ok(Err(e)) => return Err(err(e)),
        Err(_) => return Err(err("the cluster thread ended before starting postgres")),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if server_ready(data) {
            return Ok((stop_tx, keeper));
        }
        if !process_alive(pid) || Instant::now() > deadline {
            let _ = stop_tx.send(());
            let _ = keeper.join();
            return Err(err(format!(
                "the throwaway PostgreSQL server did not start on port {port}:\n{}",
                read_tail(&log_path)
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn stop_child(child: &mut Child) {
    let pid = child.id() as libc::pid_t;
    // SAFETY: plain signal delivery to our own child.
    unsafe { libc::kill(pid, libc::SIGQUIT) };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The postmaster writes `ready` as the status line of `postmaster.pid` once it accepts
/// connections (PostgreSQL 10 and later).
fn server_ready(data: &Path) -> bool {
    std::fs::read_to_string(data.join("postmaster.pid"))
        .map(|s| s.lines().any(|l| l.trim() == "ready"))
        .unwrap_or(false)
}

/// Whether the process runs (not exited, not a zombie): the kernel's process table on Linux.
#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // A zombie (state Z) has exited.
    !status.is_empty()
        && !status
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z'))
}

/// Whether the process exists (elsewhere than Linux there is no `/proc`: a signal 0 asks; an
/// exited child not yet reaped still counts, so a server that fails to start is noticed at the
/// deadline instead of at once).
#[cfg(not(target_os = "linux"))]
fn process_alive(pid: u32) -> bool {
    // SAFETY: signal 0 delivers nothing; it only checks that the process exists.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

fn read_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_loads_go_to_memory_when_it_has_room_and_tmpdir_is_not_set() {
        let room = || Some(MEMORY_MIN_FREE);
        assert!(choose_parent(false, 10_000, room));
        assert!(choose_parent(false, MEMORY_MAX_SQL, room));
        // TMPDIR is the user's word; a large load and a small or missing memory filesystem
        // stay on disk.
        assert!(!choose_parent(true, 10_000, room));
        assert!(!choose_parent(false, MEMORY_MAX_SQL + 1, room));
        assert!(!choose_parent(false, 10_000, || Some(MEMORY_MIN_FREE - 1)));
        assert!(!choose_parent(false, 10_000, || None));
        // The filesystem is not asked about when the answer does not depend on it.
        assert!(!choose_parent(true, 10_000, || panic!("asked")));
    }

    #[test]
    fn free_bytes_are_read_only_for_folders_everyone_may_write_to() {
        let private = tempfile::tempdir().expect("tempdir");
        assert_eq!(free_bytes(private.path()), None);
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(private.path(), std::fs::Permissions::from_mode(0o1777))
            .expect("chmod");
        assert!(free_bytes(private.path()).is_some_and(|b| b > 0));
        assert_eq!(free_bytes(&private.path().join("missing")), None);
    }

    fn make_dir(parent: &Path, name: &str) -> PathBuf {
        let dir = parent.join(name);
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::write(dir.join("PG_VERSION"), "17\n").expect("write");
        dir
    }

    /// A lock file as a killed run leaves it: present, locked by nobody.
    fn abandoned(parent: &Path, name: &str) -> PathBuf {
        let dir = make_dir(parent, name);
        drop(lock_directory(&dir).expect("lock"));
        dir
    }

    #[test]
    fn only_pgdrift_directories_nobody_holds_are_removed() {
        let parent = tempfile::tempdir().expect("tempdir");
        let parent = parent.path();
        let dead = abandoned(parent, "pgdrift-cluster-dead");
        let unmarked = make_dir(parent, "pgdrift-cluster-unmarked");
        let live = make_dir(parent, "pgdrift-cluster-live");
        let _held = lock_directory(&live).expect("lock");
        let not_ours = abandoned(parent, "something-else");
        let elsewhere = tempfile::tempdir().expect("tempdir");
        let target = abandoned(elsewhere.path(), "pgdrift-cluster-target");
        let link = parent.join("pgdrift-cluster-link");
        std::os::unix::fs::symlink(&target, &link).expect("symlink");

        let outcomes = remove_leftovers_in(parent);

        assert_eq!(outcomes, vec![Leftover::Removed(dead.clone())]);
        assert!(!dead.exists());
        for kept in [&unmarked, &live, &not_ours, &target, &link] {
            assert!(kept.exists(), "{} was touched", kept.display());
        }
        assert!(target.join(LOCK_FILE).exists());
    }

    #[test]
    fn a_directory_whose_server_still_answers_is_left_alone() {
        let parent = tempfile::tempdir().expect("tempdir");
        let dir = abandoned(parent.path(), "pgdrift-cluster-serving");
        let listener =
            std::os::unix::net::UnixListener::bind(dir.join(".s.PGSQL.5432")).expect("bind");
        assert_eq!(
            remove_leftovers_in(parent.path()),
            vec![Leftover::ServerRunning(dir.clone())]
        );
        assert!(dir.exists());
        // Once the server is gone (its socket file stays behind), the directory goes.
        drop(listener);
        assert_eq!(
            remove_leftovers_in(parent.path()),
            vec![Leftover::Removed(dir.clone())]
        );
        assert!(!dir.exists());
    }

    #[test]
    fn a_running_cluster_holds_its_lock() {
        let cluster = Cluster::start().expect("start cluster");
        let dir = cluster.data_dir().parent().expect("parent").to_path_buf();
        assert!(crate::source::run_dir::take_abandoned(&dir).is_none());
        drop(cluster);
        assert!(!dir.exists());
    }
}
