//! Tunnels to targets behind a bastion (`ssh = "user@bastion"` on a `url` target). The system's
//! OpenSSH client forwards a Unix socket in a private temporary folder to each server of the
//! target (`ssh -N -L folder/0:db.internal:5432`), so the user's ssh config, known hosts and agent
//! apply; no local port is opened that other users could reach, and there is no race for a free
//! port. Host keys are checked as the ssh config says and never accepted unasked: `BatchMode`
//! makes ssh refuse whatever would need a prompt (an unknown host key, a passphrase).
//!
//! A tunnel closes when it is dropped: at the end of the run, or when a signal drops the run's
//! future. The ssh process runs in its own session (a terminal's Ctrl-C reaches pgdrift, which
//! then closes it) and gets SIGTERM if pgdrift dies without closing it (`kill -9`). The socket
//! folder of a killed run is removed by the next run that opens a tunnel: as with throwaway
//! clusters, each run holds a `flock` on a file in its folder, and a folder whose lock nobody
//! holds is a leftover.

use std::io::BufRead;
use std::net::Ipv6Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use super::conninfo::{ConnInfo, HostSpec};
use crate::policy::Ssh;

/// How long ssh may take to connect, authenticate and set up the forwards.
const OPEN_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a closing ssh gets to exit on SIGTERM before it is killed.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// ssh's last words kept for messages.
const KEPT_LINES: usize = 100;
/// How the socket folder of every tunnel begins.
const FOLDER_PREFIX: &str = "pgdrift-ssh-";
// The lock file in a socket folder, locked by the run that owns the tunnel.
use super::run_dir::LOCK_FILE;

/// Where one forward ends, as the bastion sees it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Remote {
    Tcp {
        host: String,
        port: u16,
    },
    /// A server socket on the bastion itself (`host=/var/run/postgresql`).
    Unix(PathBuf),
}

impl Remote {
    /// The far end for one host of a connection string. Names are resolved by the bastion.
    pub fn of(spec: &HostSpec) -> Result<Remote, String> {
        if spec.is_unix_socket() {
            let dir = spec.host.as_deref().unwrap_or_default();
            let path = Path::new(dir).join(format!(".s.PGSQL.{}", spec.port));
            if path.to_string_lossy().contains(':') {
                return Err(format!(
                    "the socket path {} holds a `:`, which ssh cannot forward to",
                    path.display()
                ));
            }
            return Ok(Remote::Unix(path));
        }
        let host = match (&spec.hostaddr, &spec.host) {
            (Some(addr), _) => addr.to_string(),
            (None, Some(host)) => host.clone(),
            (None, None) => "localhost".into(),
        };
        let plain_name = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if host.is_empty()
            || host.starts_with('-')
            || !(plain_name || host.parse::<Ipv6Addr>().is_ok())
        {
            return Err(format!(
                "the host \"{}\" cannot be forwarded through ssh: give a host name or an address",
                host.escape_debug()
            ));
        }
        Ok(Remote::Tcp {
            host,
            port: spec.port,
        })
    }

    /// The `host:port` (or path) part of `ssh -L`.
    fn forward_target(&self) -> String {
        match self {
            Remote::Tcp { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            Remote::Tcp { host, port } => format!("{host}:{port}"),
            Remote::Unix(path) => path.display().to_string(),
        }
    }
}

/// An open tunnel: an ssh process forwarding one local socket per remote.
pub struct Tunnel {
    child: Mutex<Child>,
    sockets: Vec<PathBuf>,
    bastion: String,
    /// What ssh writes to stderr (its errors), kept by a reader thread.
    said: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    /// Removed when the tunnel is dropped, after ssh has exited; then its lock is released.
    _folder: tempfile::TempDir,
    _lock: std::fs::File,
}

impl Tunnel {
    /// Start ssh and wait until every forward accepts connections, or say why it did not.
    pub async fn open(ssh: &Ssh, remotes: &[Remote]) -> Result<Tunnel, String> {
        let bastion = describe_bastion(ssh);
        let fail = {
            let bastion = bastion.clone();
            move |why: String| format!("cannot open an ssh tunnel through {bastion}: {why}")
        };
        let (folder, folder_lock) = socket_folder().map_err(&fail)?;
        let sockets: Vec<PathBuf> = (0..remotes.len())
            .map(|i| folder.path().join(i.to_string()))
            .collect();
        let mut cmd = Command::new("ssh");
        if let Some(config) = &ssh.config {
            cmd.arg("-F").arg(config);
        }
        cmd.arg("-N");
        for option in [
            // Never a prompt: an unknown host key or a key's passphrase is refused, not asked.
            "BatchMode=yes",
            "ExitOnForwardFailure=yes",
            // A process of our own: a shared master connection (ControlPersist) would outlive
            // the run, holding the forwards.
            "ControlMaster=no",
            "ControlPath=none",
            // The sockets are for this user only (the folder is private too).
            "StreamLocalBindMask=0177",
        ] {
            cmd.arg("-o").arg(option);
        }
        if let Some(port) = ssh.port {
            cmd.arg("-p").arg(port.to_string());
        }
        if let Some(identity) = &ssh.identity {
            cmd.arg("-i")
                .arg(identity)
                .args(["-o", "IdentitiesOnly=yes"]);
        }
        for (socket, remote) in sockets.iter().zip(remotes) {
            let mut forward = socket.clone().into_os_string();
            forward.push(":");
            forward.push(remote.forward_target());
            cmd.arg("-L").arg(forward);
        }
        cmd.arg("--").arg(&ssh.destination);
        // ssh has no use for the database password (and a SendEnv in an ssh config would pass
        // it on to the bastion).
        cmd.env_remove("PGPASSWORD")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let parent = std::process::id();
        // SAFETY: the closure runs between fork and exec and calls only async-signal-safe
        // functions (setsid, prctl, getppid, _exit).
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut cmd, move || {
                libc::setsid();
                #[cfg(target_os = "linux")]
                {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM as libc::c_ulong);
                    // pgdrift died before the death signal was set.
                    if libc::getppid() as u32 != parent {
                        libc::_exit(1);
                    }
                }
                #[cfg(not(target_os = "linux"))]
                let _ = parent;
                Ok(())
            });
        }
        let mut child = cmd.spawn().map_err(|e| {
            fail(if e.kind() == std::io::ErrorKind::NotFound {
                "the `ssh` command was not found: install the OpenSSH client (Debian/Ubuntu: \
                 apt-get install openssh-client)"
                    .to_string()
            } else {
                format!("cannot start ssh: {e}")
            })
        })?;
        let said = Arc::new(Mutex::new(Vec::new()));
        let reader = child.stderr.take().map(|stderr| {
            let said = said.clone();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    let mut kept = lock(&said);
                    if kept.len() == KEPT_LINES {
                        kept.remove(0);
                    }
                    kept.push(line);
                }
            })
        });
        // From here on, dropping the tunnel (an error, or a signal dropping this future) ends ssh.
        let tunnel = Tunnel {
            child: Mutex::new(child),
            sockets,
            bastion,
            said,
            reader,
            _folder: folder,
            _lock: folder_lock,
        };
        let deadline = Instant::now() + OPEN_TIMEOUT;
        loop {
            if let Some(status) = tunnel.exited() {
                return Err(fail(tunnel.exit_reason(status, ssh).await));
            }
            if tunnel.sockets.iter().all(|s| is_listening(s)) {
                return Ok(tunnel);
            }
            if Instant::now() >= deadline {
                let said = quote(&tunnel.said());
                return Err(fail(format!(
                    "ssh did not set up the tunnel within {}s{said}. Check that the bastion \
                     answers, or set ConnectTimeout in the ssh config",
                    OPEN_TIMEOUT.as_secs()
                )));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The local sockets, in the order of the remotes the tunnel was opened for.
    pub fn sockets(&self) -> &[PathBuf] {
        &self.sockets
    }

    /// "user@bastion.example (port 2222)".
    pub fn bastion(&self) -> &str {
        &self.bastion
    }

    /// What went wrong in the tunnel after a connection through it failed: ssh has exited, or
    /// the bastion could not open a connection to the server. `seen` is `said_count()` before
    /// the connection was tried, so only what was said since counts.
    pub async fn trouble(&self, seen: usize) -> Option<String> {
        if let Some(status) = self.exited() {
            self.wait_for_reader().await;
            return Some(format!(
                "the ssh tunnel closed (ssh exited with {status}){}",
                quote(&self.said())
            ));
        }
        // ssh writes the reason before it closes the forwarded connection, but the reader
        // thread may not have it yet.
        let deadline = Instant::now() + Duration::from_millis(300);
        loop {
            let said = self.said();
            let failed = said.iter().skip(seen.min(said.len())).rev().find_map(|l| {
                l.split_once("open failed: ")
                    .map(|(_, why)| why.to_string())
            });
            if let Some(why) = failed {
                let hint = if why.contains("administratively prohibited") {
                    " (the bastion's sshd does not allow this forward: AllowTcpForwarding, \
                     PermitOpen)"
                } else {
                    ""
                };
                return Some(format!(
                    "the bastion could not open a connection to the database server: {why}{hint}"
                ));
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// How many lines ssh has written so far (see `trouble`).
    pub fn said_count(&self) -> usize {
        lock(&self.said).len()
    }

    fn said(&self) -> Vec<String> {
        lock(&self.said).clone()
    }

    fn exited(&self) -> Option<ExitStatus> {
        lock(&self.child).try_wait().ok().flatten()
    }

    /// ssh's stderr is complete once the reader has seen its end (bounded: a ProxyCommand that
    /// keeps the pipe open must not hold the message back).
    async fn wait_for_reader(&self) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while self.reader.as_ref().is_some_and(|r| !r.is_finished()) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    async fn exit_reason(&self, status: ExitStatus, ssh: &Ssh) -> String {
        self.wait_for_reader().await;
        let said = self.said();
        explain_exit(&said, status, ssh)
    }
}

impl Drop for Tunnel {
    fn drop(&mut self) {
        let mut child = lock(&self.child);
        if matches!(child.try_wait(), Ok(None)) {
            // The whole session: a ProxyCommand ssh started goes too.
            let group = child.id() as libc::pid_t;
            // SAFETY: signalling the process group of our own child, which is still running.
            unsafe { libc::kill(-group, libc::SIGTERM) };
            let deadline = Instant::now() + CLOSE_TIMEOUT;
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            if matches!(child.try_wait(), Ok(None)) {
                // SAFETY: as above.
                unsafe { libc::kill(-group, libc::SIGKILL) };
                let _ = child.wait();
            }
        }
    }
}

/// The tunnels of a run, one per bastion and set of servers: the members of a fleet share
/// their target's. Dropping this closes them all.
#[derive(Default)]
pub struct Tunnels {
    #[allow(clippy::type_complexity)]
    open: tokio::sync::Mutex<
        Vec<(
            (Ssh, Vec<Remote>),
            Arc<OnceCell<Result<Arc<Tunnel>, String>>>,
        )>,
    >,
}

impl Tunnels {
    /// `info` rewritten to go through the tunnel to its servers from `ssh`'s bastion, opened
    /// now unless this run has one already. A tunnel that failed to open is not retried within
    /// the run (a fleet would otherwise try once per member).
    pub async fn route(
        &self,
        ssh: &Ssh,
        info: ConnInfo,
    ) -> Result<(ConnInfo, Arc<Tunnel>), String> {
        let remotes = info
            .hosts()
            .iter()
            .map(Remote::of)
            .collect::<Result<Vec<_>, _>>()?;
        let key = (ssh.clone(), remotes);
        let cell = {
            let mut open = self.open.lock().await;
            match open.iter().find(|(k, _)| *k == key) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Arc::new(OnceCell::new());
                    open.push((key.clone(), cell.clone()));
                    cell
                }
            }
        };
        let tunnel = cell
            .get_or_init(|| async {
                let started = Instant::now();
                let tunnel = Tunnel::open(ssh, &key.1).await.map(Arc::new);
                crate::timings::record(
                    format!("ssh tunnel through {}", describe_bastion(ssh)),
                    started.elapsed(),
                );
                tunnel
            })
            .await
            .clone()?;
        Ok((info.through(tunnel.sockets()), tunnel))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn describe_bastion(ssh: &Ssh) -> String {
    match ssh.port {
        Some(port) => format!("{} (port {port})", ssh.destination),
        None => ssh.destination.clone(),
    }
}

/// A private folder for the sockets, locked by this run, after removing those of dead runs.
/// A socket path must fit in `sun_path` (108 bytes) and hold no `:` (ssh's `-L` separator); a
/// `TMPDIR` that breaks either gives way to `/tmp`.
fn socket_folder() -> Result<(tempfile::TempDir, std::fs::File), String> {
    let usable = |dir: &Path| dir.as_os_str().len() < 90 && !dir.to_string_lossy().contains(':');
    let temp = std::env::temp_dir();
    let parent = if usable(&temp) {
        temp
    } else {
        PathBuf::from("/tmp")
    };
    remove_leftovers_in(&parent);
    let cannot = |e: std::io::Error| {
        format!(
            "cannot make a folder for its sockets in {}: {e}",
            parent.display()
        )
    };
    // tempfile makes the folder readable by this user only.
    let folder = tempfile::Builder::new()
        .prefix(FOLDER_PREFIX)
        .tempdir_in(&parent)
        .map_err(cannot)?;
    let note = format!(
        "pgdrift ssh tunnel sockets of process {}; removed by the next pgdrift run once unlocked",
        std::process::id()
    );
    let lock = super::run_dir::lock(folder.path(), &note).map_err(cannot)?;
    Ok((folder, lock))
}

/// Remove the socket folders in `parent` that killed runs left (`run_dir::sweep`), except
/// those with a socket something still listens on.
fn remove_leftovers_in(parent: &Path) {
    let listening = |folder: &Path| {
        std::fs::read_dir(folder)
            .into_iter()
            .flatten()
            .flatten()
            .any(|e| e.file_name() != LOCK_FILE && is_listening(&e.path()))
    };
    super::run_dir::sweep(parent, FOLDER_PREFIX, listening);
}

/// Whether a server listens on the Unix socket at `path`. On Linux, the kernel's socket table
/// says (a socket file exists a moment before it accepts connections); elsewhere, the file.
fn is_listening(path: &Path) -> bool {
    #[cfg(target_os = "linux")]
    if let Ok(table) = std::fs::read_to_string("/proc/net/unix") {
        // "Num RefCount Protocol Flags Type St Inode Path"; flag 0x10000 is __SO_ACCEPTCON.
        let want = path.to_string_lossy();
        return table.lines().skip(1).any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            fields.len() >= 8
                && fields[7..].join(" ") == want
                && u32::from_str_radix(fields[3], 16).is_ok_and(|flags| flags & 0x10000 != 0)
        });
    }
    use std::os::unix::fs::FileTypeExt;
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

/// `: ssh said "…"`, from its last meaningful lines.
fn quote(said: &[String]) -> String {
    let lines: Vec<&str> = said
        .iter()
        .map(|l| l.trim())
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with("@@@")
                && !l.starts_with("Pseudo-terminal will not be allocated")
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    let last = &lines[lines.len().saturating_sub(3)..];
    format!(" (ssh said: \"{}\")", last.join(" / "))
}

/// Why ssh exited before the tunnel was up, in the user's terms, with ssh's own words.
fn explain_exit(said: &[String], status: ExitStatus, ssh: &Ssh) -> String {
    let has = |needle: &str| {
        said.iter().any(|l| {
            l.to_ascii_lowercase()
                .contains(&needle.to_ascii_lowercase())
        })
    };
    let mut manual = String::from("ssh");
    if let Some(config) = &ssh.config {
        manual.push_str(&format!(" -F {}", config.display()));
    }
    if let Some(port) = ssh.port {
        manual.push_str(&format!(" -p {port}"));
    }
    manual.push_str(&format!(" {}", ssh.destination));
    let why = if has("REMOTE HOST IDENTIFICATION HAS CHANGED") {
        format!(
            "host key verification failed: the bastion's host key is not the one known_hosts \
             holds for it. That can mean someone is intercepting the connection, and pgdrift \
             refuses it; if the key was changed on purpose, check the new key's fingerprint \
             with the bastion's administrator and replace the old one (`ssh-keygen -R HOST`, \
             then `{manual}`)"
        )
    } else if has("Host key verification failed") {
        format!(
            "host key verification failed: the bastion's host key is not in known_hosts, and \
             pgdrift never accepts an unknown host key. Check its fingerprint with the \
             bastion's administrator and add it to known_hosts (answer the prompt of \
             `{manual}` once, or add it to the file the ssh config names in UserKnownHostsFile)"
        )
    } else if has("Permission denied") || has("Too many authentication failures") {
        let key = match &ssh.identity {
            Some(path) => format!("the ssh_identity key {}", path.display()),
            None => "those of ssh-agent and of the ssh config".to_string(),
        };
        format!(
            "permission denied: the bastion accepted none of the keys offered: {key}. Check \
             the user name, that the public key is in the bastion's authorized_keys, and that \
             the key needs no passphrase or is loaded into ssh-agent (pgdrift never prompts)"
        )
    } else if has("Connection refused") {
        "the bastion refused the connection: is sshd running there, and is the port \
         (ssh_port) right?"
            .to_string()
    } else if has("Could not resolve hostname") {
        "the bastion's host name does not resolve: check `ssh` and this machine's DNS".to_string()
    } else if has("timed out") {
        "no answer from the bastion: check the host, the port (ssh_port) and the firewalls \
         between"
            .to_string()
    } else if has("No route to host") || has("Network is unreachable") {
        "the bastion cannot be reached from this machine (no route)".to_string()
    } else if has("cannot listen to path") || has("Could not request local forwarding") {
        "ssh could not set up the forward to the database server".to_string()
    } else if has("Bad owner or permissions") {
        "ssh refuses its config file: fix its owner or permissions".to_string()
    } else {
        format!("ssh exited with {status} before the tunnel was up")
    };
    format!("{why}{}", quote(said))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;

    fn ssh(port: Option<u16>) -> Ssh {
        Ssh {
            destination: "ci@bastion.example".into(),
            port,
            identity: None,
            config: None,
        }
    }

    fn spec(host: &str, port: u16) -> HostSpec {
        HostSpec::named(host, port)
    }

    #[test]
    fn remotes_are_what_the_bastion_dials() {
        let forward = |s: &HostSpec| Remote::of(s).map(|r| r.forward_target());
        assert_eq!(
            forward(&spec("db.internal", 5432)).unwrap(),
            "db.internal:5432"
        );
        assert_eq!(forward(&spec("::1", 5433)).unwrap(), "[::1]:5433");
        assert_eq!(
            forward(&spec("/var/run/postgresql", 5432)).unwrap(),
            "/var/run/postgresql/.s.PGSQL.5432"
        );
        let mut by_addr = spec("db.internal", 5432);
        by_addr.hostaddr = Some("10.0.0.7".parse().unwrap());
        assert_eq!(forward(&by_addr).unwrap(), "10.0.0.7:5432");
        for bad in ["-oProxyCommand=x", "a b", "db:1", ""] {
            assert!(forward(&spec(bad, 5432)).is_err(), "{bad}");
        }
    }

    #[test]
    fn exits_are_explained_with_sshs_words() {
        let status = ExitStatus::from_raw(255 << 8);
        let said = |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
        let m = explain_exit(
            &said(&["Host key verification failed."]),
            status,
            &ssh(Some(2222)),
        );
        assert!(
            m.starts_with("host key verification failed: the bastion's host key is not in")
                && m.contains("`ssh -p 2222 ci@bastion.example`")
                && m.ends_with("(ssh said: \"Host key verification failed.\")"),
            "{m}"
        );
        let m = explain_exit(
            &said(&[
                "@@@@@@@@@@@",
                "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @",
                "Host key verification failed.",
            ]),
            status,
            &ssh(None),
        );
        assert!(m.contains("intercepting"), "{m}");
        let m = explain_exit(
            &said(&["ci@bastion.example: Permission denied (publickey)."]),
            status,
            &ssh(None),
        );
        assert!(m.starts_with("permission denied"), "{m}");
        let m = explain_exit(
            &said(&["ssh: connect to host bastion.example port 22: Connection refused"]),
            status,
            &ssh(None),
        );
        assert!(m.contains("refused the connection"), "{m}");
        let m = explain_exit(&[], status, &ssh(None));
        assert_eq!(
            m,
            "ssh exited with exit status: 255 before the tunnel was up"
        );
    }
}
