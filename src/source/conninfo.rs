//! Connection settings read the way libpq reads them, and connecting with them.
//!
//! Users paste the connection strings they give psql: URLs or `key=value` strings, with PGHOST,
//! PGPASSWORD, `~/.pgpass` and libpq's `sslmode` meanings. tokio-postgres understands only part of
//! that (three sslmodes, no environment, no password file, no certificate files), so this module
//! parses the string itself, fills the gaps like libpq does, builds the TLS connector for the
//! chosen `sslmode`, and turns connection failures into messages that name host, port, database
//! and user and say what to do. No message, `Debug` output or description ever holds a password.
//!
//! Where pgdrift differs from libpq, on purpose:
//! - `sslmode=allow` behaves like `prefer` (TLS when the server offers it).
//! - `verify-ca`/`verify-full` without `sslrootcert` and without `~/.postgresql/root.crt` use the
//!   system's trusted roots (libpq refuses to connect instead).
//! - A client certificate named explicitly (`sslcert`, PGSSLCERT) must exist; libpq silently
//!   connects without it. Its key must be an unencrypted PEM (PKCS#8) key; the key file's
//!   permissions are not checked.
//! - Service files (`service`, PGSERVICE), GSSAPI/Kerberos, CRLs and encrypted keys are not
//!   supported and say so, rather than being ignored.

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use percent_encoding::percent_decode_str;
use tokio_postgres::config::{ChannelBinding, SslMode as WireSslMode};
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres::{Client, NoTls, Socket};

/// The default port of PostgreSQL.
pub const DEFAULT_PORT: u16 = 5432;
/// Where Debian's and most distributions' servers put their socket; libpq's default host.
const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// Reads the process environment: the `env` to pass to [`ConnInfo::parse`] outside tests.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// libpq tries without TLS first; pgdrift treats it as `prefer`.
    Allow,
    /// TLS if the server offers it, the certificate unchecked (unless a root certificate file
    /// exists, as in libpq).
    Prefer,
    /// TLS, the certificate unchecked (unless a root certificate file exists: then like
    /// `verify-ca`, as in libpq).
    Require,
    /// TLS, the certificate chain checked against the root certificate; not the host name.
    VerifyCa,
    /// TLS, the chain and the host name checked.
    VerifyFull,
}

impl SslMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    fn wire(self) -> WireSslMode {
        match self {
            SslMode::Disable => WireSslMode::Disable,
            SslMode::Allow | SslMode::Prefer => WireSslMode::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => WireSslMode::Require,
        }
    }
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SslMode {
    type Err = ConnInfoError;

    fn from_str(s: &str) -> Result<SslMode, ConnInfoError> {
        Ok(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => {
                return Err(ConnInfoError::InvalidValue {
                    key: "sslmode".into(),
                    value: s.into(),
                    origin: String::new(),
                    expected: "disable, allow, prefer, require, verify-ca or verify-full".into(),
                });
            }
        })
    }
}

/// libpq's `target_session_attrs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetSessionAttrs {
    Any,
    ReadWrite,
    ReadOnly,
    Primary,
    Standby,
    PreferStandby,
}

impl TargetSessionAttrs {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetSessionAttrs::Any => "any",
            TargetSessionAttrs::ReadWrite => "read-write",
            TargetSessionAttrs::ReadOnly => "read-only",
            TargetSessionAttrs::Primary => "primary",
            TargetSessionAttrs::Standby => "standby",
            TargetSessionAttrs::PreferStandby => "prefer-standby",
        }
    }
}

/// Where the server's certificate is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    /// A PEM file holding one or more CA certificates; only these are trusted.
    File(PathBuf),
    /// `sslrootcert=system`: the system's trusted roots.
    System,
}

/// One server to try: a host name or socket directory, an optional numeric address, a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    /// A host name, an IP address, or a Unix socket directory (starts with `/`).
    pub host: Option<String>,
    /// libpq's `hostaddr`: connect here instead of resolving `host`.
    pub hostaddr: Option<IpAddr>,
    pub port: u16,
    /// A local Unix socket that a tunnel forwards to this server (`ssh -L`): it is dialled
    /// instead, while `host` still names the server, for TLS and for messages.
    pub via: Option<PathBuf>,
}

impl HostSpec {
    /// `host:port`, no address and no tunnel: how tests name a host.
    #[cfg(test)]
    pub(crate) fn named(host: &str, port: u16) -> HostSpec {
        HostSpec {
            host: Some(host.into()),
            hostaddr: None,
            port,
            via: None,
        }
    }

    /// True when this connects through a Unix socket.
    pub fn is_unix_socket(&self) -> bool {
        self.hostaddr.is_none() && self.host.as_deref().is_some_and(|h| h.starts_with('/'))
    }

    fn unix_socket_path(&self) -> Option<PathBuf> {
        if self.is_unix_socket() {
            let dir = self.host.as_deref().unwrap_or_default();
            Some(Path::new(dir).join(format!(".s.PGSQL.{}", self.port)))
        } else {
            None
        }
    }
}

fn host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

impl fmt::Display for HostSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(path) = self.unix_socket_path() {
            return write!(f, "{}", path.display());
        }
        match (&self.host, &self.hostaddr) {
            (Some(h), Some(a)) => write!(f, "{} ({a})", host_port(h, self.port)),
            (Some(h), None) => f.write_str(&host_port(h, self.port)),
            (None, Some(a)) => f.write_str(&host_port(&a.to_string(), self.port)),
            (None, None) => write!(f, "localhost:{}", self.port),
        }
    }
}

/// Where the password that was sent came from; named in authentication errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    ConnectionString,
    /// Passed by the caller: the policy target's `password_env`.
    Caller,
    /// The PGPASSWORD variable.
    PgPassword,
    /// A line of the password file.
    PassFile(PathBuf),
}

impl fmt::Display for PasswordSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordSource::ConnectionString => f.write_str("the connection string"),
            PasswordSource::Caller => f.write_str("the variable named by password_env"),
            PasswordSource::PgPassword => f.write_str("PGPASSWORD"),
            PasswordSource::PassFile(p) => write!(f, "the password file {}", p.display()),
        }
    }
}

/// A connection string that cannot be used. Messages name keys and, for settings that are not
/// secret, values; never the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnInfoError {
    #[error("unknown connection setting \"{key}\"{origin}{suggestion}")]
    UnknownKey {
        key: String,
        origin: String,
        suggestion: String,
    },
    /// An unknown word right after an unquoted password: the word may be part of the password,
    /// so it is not repeated.
    #[error(
        "the connection string has a word after the password that is not a setting; if the \
         password contains spaces, quote it: password='...'"
    )]
    UnknownKeyAfterPassword,
    #[error("connection setting {setting} is not supported: {reason}")]
    Unsupported { setting: String, reason: String },
    #[error("invalid {key} \"{value}\"{origin}: expected {expected}")]
    InvalidValue {
        key: String,
        value: String,
        origin: String,
        expected: String,
    },
    #[error("malformed connection string: {0}")]
    Syntax(String),
    #[error("malformed connection URL: {0}")]
    MalformedUrl(String),
    #[error("{0}")]
    Hosts(String),
    #[error(
        "cannot tell which database user to connect as: set user in the connection string or \
         PGUSER"
    )]
    NoUser,
    #[error("cannot use the {what} {}: {reason}", path.display())]
    CertFile {
        what: &'static str,
        path: PathBuf,
        reason: String,
    },
    #[error("{0}")]
    Tls(String),
}

/// Where a setting came from, for messages: the string itself, or an environment variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    String,
    Env(&'static str),
}

impl Origin {
    fn suffix(self) -> String {
        match self {
            Origin::String => String::new(),
            Origin::Env(var) => format!(" (from {var})"),
        }
    }
}

/// Settings we understand, each with the environment variable that fills it when the string
/// does not. PGPASSWORD is not here: it ranks below the caller's password.
const KEYS: &[(&str, Option<&str>)] = &[
    ("host", Some("PGHOST")),
    ("hostaddr", Some("PGHOSTADDR")),
    ("port", Some("PGPORT")),
    ("dbname", Some("PGDATABASE")),
    ("user", Some("PGUSER")),
    ("password", None),
    ("passfile", Some("PGPASSFILE")),
    ("sslmode", Some("PGSSLMODE")),
    ("sslrootcert", Some("PGSSLROOTCERT")),
    ("sslcert", Some("PGSSLCERT")),
    ("sslkey", Some("PGSSLKEY")),
    ("sslsni", Some("PGSSLSNI")),
    ("sslcompression", Some("PGSSLCOMPRESSION")),
    ("sslnegotiation", Some("PGSSLNEGOTIATION")),
    ("connect_timeout", Some("PGCONNECT_TIMEOUT")),
    ("application_name", Some("PGAPPNAME")),
    ("fallback_application_name", None),
    ("options", Some("PGOPTIONS")),
    ("target_session_attrs", Some("PGTARGETSESSIONATTRS")),
    ("channel_binding", Some("PGCHANNELBINDING")),
    ("gssencmode", Some("PGGSSENCMODE")),
    ("client_encoding", Some("PGCLIENTENCODING")),
    ("load_balance_hosts", Some("PGLOADBALANCEHOSTS")),
    ("keepalives", None),
    ("keepalives_idle", None),
    ("keepalives_interval", None),
    ("keepalives_count", None),
    ("tcp_user_timeout", None),
    ("service", Some("PGSERVICE")),
];

/// libpq settings pgdrift knows but cannot honour; named so the error says why.
const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "sslpassword",
        "encrypted client keys are not supported; decrypt the key first \
         (openssl pkey -in client.key -out client-plain.key)",
    ),
    ("sslcrl", "certificate revocation lists are not supported"),
    (
        "sslcrldir",
        "certificate revocation lists are not supported",
    ),
    (
        "sslcertmode",
        "the client certificate is sent whenever sslcert names one",
    ),
    ("sslkeylogfile", "TLS key logging is not supported"),
    (
        "ssl_min_protocol_version",
        "pgdrift always requires TLS 1.2 or newer",
    ),
    (
        "ssl_max_protocol_version",
        "pgdrift always requires TLS 1.2 or newer",
    ),
    (
        "requirepeer",
        "peer checks on Unix sockets are not supported",
    ),
    (
        "require_auth",
        "restricting authentication methods is not supported",
    ),
    (
        "krbsrvname",
        "Kerberos/GSSAPI authentication is not supported",
    ),
    ("gsslib", "Kerberos/GSSAPI authentication is not supported"),
    (
        "gssdelegation",
        "Kerberos/GSSAPI authentication is not supported",
    ),
    ("replication", "replication connections are not supported"),
    (
        "min_protocol_version",
        "protocol version negotiation is not supported",
    ),
    (
        "max_protocol_version",
        "protocol version negotiation is not supported",
    ),
    ("oauth_issuer", "OAuth authentication is not supported"),
    ("oauth_client_id", "OAuth authentication is not supported"),
    (
        "oauth_client_secret",
        "OAuth authentication is not supported",
    ),
    ("oauth_scope", "OAuth authentication is not supported"),
];

const SERVICE_REASON: &str = "pgdrift does not read pg_service.conf; put the settings in the \
                              connection string or the PG* variables instead";

/// What the machine says when the string and the environment are silent. Separate so unit tests
/// do not depend on the machine they run on.
#[derive(Debug, Clone, Default)]
struct SystemDefaults {
    os_user: Option<String>,
    home: Option<PathBuf>,
    socket_dir: Option<PathBuf>,
}

impl SystemDefaults {
    fn detect(env: &dyn Fn(&str) -> Option<String>) -> SystemDefaults {
        let passwd = passwd_entry();
        // libpq names the effective user from the password database; $USER only when that fails.
        let os_user = passwd
            .as_ref()
            .map(|(name, _)| name.clone())
            .or_else(|| nonempty(env("USER")))
            .or_else(|| nonempty(env("LOGNAME")));
        let home = nonempty(env("HOME"))
            .map(PathBuf::from)
            .or_else(|| passwd.map(|(_, dir)| dir));
        let socket_dir = Path::new(DEFAULT_SOCKET_DIR)
            .is_dir()
            .then(|| PathBuf::from(DEFAULT_SOCKET_DIR));
        SystemDefaults {
            os_user,
            home,
            socket_dir,
        }
    }
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// The effective user's name and home directory from the password database.
fn passwd_entry() -> Option<(String, PathBuf)> {
    use std::ffi::{CStr, OsStr};
    use std::os::unix::ffi::OsStrExt;
    let mut buf = vec![0 as libc::c_char; 16 * 1024];
    // SAFETY: getpwuid_r writes only into `pwd` and `buf` (whose length we pass), and the
    // strings it points `pwd` at live in `buf`, which outlives their use below.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::geteuid(),
            &mut pwd,
            buf.as_mut_ptr(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() || pwd.pw_dir.is_null() {
            return None;
        }
        let name = CStr::from_ptr(pwd.pw_name).to_string_lossy().into_owned();
        let dir = PathBuf::from(OsStr::from_bytes(CStr::from_ptr(pwd.pw_dir).to_bytes()));
        Some((name, dir))
    }
}

/// Parsed connection settings, with the gaps filled from the environment and the defaults.
#[derive(Clone)]
pub struct ConnInfo {
    hosts: Vec<HostSpec>,
    dbname: String,
    user: String,
    password: Option<String>,
    caller_password: Option<String>,
    env_password: Option<String>,
    passfile: Option<PathBuf>,
    /// The socket directory that counts as `localhost` for password file lines.
    default_socket_dir: Option<PathBuf>,
    sslmode: SslMode,
    sslrootcert: Option<RootCert>,
    /// `~/.postgresql/root.crt`: used when it exists and `sslrootcert` is not set.
    default_root_cert: Option<PathBuf>,
    sslcert: Option<(PathBuf, bool)>,
    sslkey: Option<PathBuf>,
    sslsni: bool,
    /// Seconds; 0 waits forever; `None` leaves it to the caller's default.
    connect_timeout: Option<u64>,
    application_name: Option<String>,
    fallback_application_name: Option<String>,
    options: Option<String>,
    target_session_attrs: TargetSessionAttrs,
    channel_binding: ChannelBinding,
    keepalives: bool,
    keepalives_idle: Option<Duration>,
    keepalives_interval: Option<Duration>,
    keepalives_count: Option<u32>,
    tcp_user_timeout: Option<Duration>,
}

impl fmt::Debug for ConnInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |p: &Option<String>| p.as_ref().map(|_| "<redacted>");
        f.debug_struct("ConnInfo")
            .field("hosts", &self.hosts)
            .field("dbname", &self.dbname)
            .field("user", &self.user)
            .field("password", &redacted(&self.password))
            .field("caller_password", &redacted(&self.caller_password))
            .field("env_password", &redacted(&self.env_password))
            .field("passfile", &self.passfile)
            .field("sslmode", &self.sslmode)
            .field("sslrootcert", &self.sslrootcert)
            .field("sslcert", &self.sslcert.as_ref().map(|(p, _)| p))
            .field("sslkey", &self.sslkey)
            .field("connect_timeout", &self.connect_timeout)
            .field("application_name", &self.application_name)
            .field("options", &self.options)
            .field("target_session_attrs", &self.target_session_attrs)
            .finish_non_exhaustive()
    }
}

/// How the TCP connection notices a peer that is gone (host down, network cut, a firewall that
/// drops the connection silently): what `tokio_postgres::Config` is given. Without these the
/// operating system waits two hours before the first keepalive probe and retransmits unacked
/// data for a quarter of an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpLiveness {
    pub keepalives: bool,
    /// Silence before the first probe (`keepalives_idle`).
    pub idle: Duration,
    /// Between probes (`keepalives_interval`).
    pub interval: Duration,
    /// Unanswered probes before the connection is closed (`keepalives_count`).
    pub count: u32,
    /// How long sent data may stay unacknowledged (`tcp_user_timeout`; zero: the system's).
    pub user_timeout: Duration,
}

impl TcpLiveness {
    /// What pgdrift uses where the connection string says nothing, like many drivers: a dead
    /// peer is noticed within about a minute (30 s idle, then 3 probes 10 s apart), and sent
    /// data unacknowledged for as long fails the connection too. A server that is alive but
    /// does not answer (overloaded, stopped) still acknowledges on the TCP level: the
    /// client-side read deadline (`read_timeout`) is what ends those waits.
    pub const DEFAULT: TcpLiveness = TcpLiveness {
        keepalives: true,
        idle: Duration::from_secs(30),
        interval: Duration::from_secs(10),
        count: 3,
        user_timeout: Duration::from_secs(60),
    };
}

/// Raw settings as written: key → (value, where it came from).
type RawSettings = BTreeMap<String, (String, Origin)>;

impl ConnInfo {
    /// Parse a libpq connection string (URL or `key=value`) and fill what it leaves out from
    /// `env` (the PG* variables; pass [`process_env`] outside tests) and the system defaults.
    pub fn parse(
        conninfo: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ConnInfo, ConnInfoError> {
        ConnInfo::parse_with(conninfo, env, &SystemDefaults::detect(env))
    }

    fn parse_with(
        conninfo: &str,
        env: &dyn Fn(&str) -> Option<String>,
        defaults: &SystemDefaults,
    ) -> Result<ConnInfo, ConnInfoError> {
        let mut raw = parse_raw(conninfo)?;
        for (key, var) in KEYS {
            if let Some(var) = var
                && !raw.contains_key(*key)
                && let Some(value) = nonempty(env(var))
            {
                raw.insert(key.to_string(), (value, Origin::Env(var)));
            }
        }
        let env_password = nonempty(env("PGPASSWORD"));
        interpret(&raw, env_password, defaults)
    }

    /// Add the password the caller has (the policy target's `password_env`). It ranks below a
    /// password in the connection string and above PGPASSWORD and the password file.
    pub fn with_password(mut self, password: Option<String>) -> ConnInfo {
        self.caller_password = nonempty(password);
        self
    }

    /// Override `sslmode` (the policy target's `sslmode`): one of libpq's six names.
    pub fn with_sslmode(mut self, sslmode: &str) -> Result<ConnInfo, ConnInfoError> {
        self.sslmode = sslmode.parse()?;
        Ok(self)
    }

    /// Override `sslrootcert` with a CA file (the policy target's `ca_file`).
    pub fn with_root_cert(mut self, path: impl AsRef<Path>) -> ConnInfo {
        self.sslrootcert = Some(RootCert::File(path.as_ref().to_path_buf()));
        self
    }

    /// Connect to another database on the same server(s), e.g. a scratch database.
    pub fn with_database(mut self, dbname: impl Into<String>) -> ConnInfo {
        self.dbname = dbname.into();
        self
    }

    /// Reach each host through a local socket a tunnel forwards to it, in the order of
    /// `hosts()`.
    pub fn through(mut self, sockets: &[PathBuf]) -> ConnInfo {
        for (spec, socket) in self.hosts.iter_mut().zip(sockets) {
            spec.via = Some(socket.clone());
        }
        self
    }

    /// "host db.example.com:5432, database app, user ci": what and where, never the password.
    pub fn describe(&self) -> String {
        let noun = if self.hosts.len() > 1 {
            "hosts"
        } else {
            "host"
        };
        format!(
            "{noun} {}, database {}, user {}",
            self.host_display(),
            self.dbname,
            self.user
        )
    }

    /// The servers, comma-separated: "db1.example.com:5432, db2.example.com:5433".
    pub fn host_display(&self) -> String {
        self.hosts
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn hosts(&self) -> &[HostSpec] {
        &self.hosts
    }

    pub fn database(&self) -> &str {
        &self.dbname
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn sslmode(&self) -> SslMode {
        self.sslmode
    }

    pub fn sslrootcert(&self) -> Option<&RootCert> {
        self.sslrootcert.as_ref()
    }

    pub fn application_name(&self) -> Option<&str> {
        self.application_name.as_deref()
    }

    pub fn target_session_attrs(&self) -> TargetSessionAttrs {
        self.target_session_attrs
    }

    /// The connect timeout the string or PGCONNECT_TIMEOUT asks for: `Some(None)` means wait
    /// forever (0), `None` means not set.
    pub fn connect_timeout(&self) -> Option<Option<Duration>> {
        self.connect_timeout.map(|s| match s {
            0 => None,
            // libpq's floor: shorter timeouts fail on ordinary networks.
            s => Some(Duration::from_secs(s.max(2))),
        })
    }

    /// The keepalive settings of the string (`keepalives`, `keepalives_idle`,
    /// `keepalives_interval`, `keepalives_count`, `tcp_user_timeout`), pgdrift's defaults for
    /// those it leaves out.
    pub fn tcp_liveness(&self) -> TcpLiveness {
        let default = TcpLiveness::DEFAULT;
        TcpLiveness {
            keepalives: self.keepalives,
            idle: self.keepalives_idle.unwrap_or(default.idle),
            interval: self.keepalives_interval.unwrap_or(default.interval),
            count: self.keepalives_count.unwrap_or(default.count),
            user_timeout: self.tcp_user_timeout.unwrap_or(default.user_timeout),
        }
    }

    /// The password to send to `spec`, where it came from, and a note when the password file was
    /// skipped (for the authentication error).
    fn password_for(
        &self,
        spec: &HostSpec,
    ) -> (Option<String>, Option<PasswordSource>, Option<String>) {
        if let Some(p) = &self.password {
            return (
                Some(p.clone()),
                Some(PasswordSource::ConnectionString),
                None,
            );
        }
        if let Some(p) = &self.caller_password {
            return (Some(p.clone()), Some(PasswordSource::Caller), None);
        }
        if let Some(p) = &self.env_password {
            return (Some(p.clone()), Some(PasswordSource::PgPassword), None);
        }
        let Some(path) = &self.passfile else {
            return (None, None, None);
        };
        let host = self.passfile_host(spec);
        match read_passfile(path, &host, spec.port, &self.dbname, &self.user) {
            PassFileLookup::Found(p) => {
                (Some(p), Some(PasswordSource::PassFile(path.clone())), None)
            }
            PassFileLookup::NotFound => (None, None, None),
            PassFileLookup::Ignored(note) => (None, None, Some(note)),
        }
    }

    /// The host name a password file line must match: libpq uses `localhost` for its default
    /// socket directory and when only defaults are in play.
    fn passfile_host(&self, spec: &HostSpec) -> String {
        match (&spec.host, &spec.hostaddr) {
            (Some(h), _) if spec.is_unix_socket() => {
                let is_default = self
                    .default_socket_dir
                    .as_deref()
                    .is_some_and(|d| Path::new(h) == d)
                    || h == DEFAULT_SOCKET_DIR;
                if is_default {
                    "localhost".into()
                } else {
                    h.clone()
                }
            }
            (Some(h), _) => h.clone(),
            (None, Some(a)) => a.to_string(),
            (None, None) => "localhost".into(),
        }
    }

    fn root_cert(&self) -> Option<RootCert> {
        self.sslrootcert.clone().or_else(|| {
            self.default_root_cert
                .as_ref()
                .filter(|p| p.is_file())
                .map(|p| RootCert::File(p.clone()))
        })
    }

    /// The TLS connector for this `sslmode`, or `None` for `disable`. Reads the certificate
    /// files, so it fails when one is missing or unreadable; call it early to check a target.
    /// The connector itself is built only when a server accepts TLS (see `lazy_tls`).
    pub fn tls_connector(&self) -> Result<Option<super::lazy_tls::LazyTls>, ConnInfoError> {
        if self.sslmode == SslMode::Disable {
            return Ok(None);
        }
        let root = self.root_cert();
        if root == Some(RootCert::System) && self.sslmode != SslMode::VerifyFull {
            return Err(ConnInfoError::Tls(format!(
                "sslrootcert=system requires sslmode=verify-full, not {}: trusting every public \
                 CA is only safe when the host name is checked too",
                self.sslmode
            )));
        }
        let mut builder = native_tls::TlsConnector::builder();
        builder.min_protocol_version(Some(native_tls::Protocol::Tlsv12));
        builder.use_sni(self.sslsni);
        // As libpq: a root certificate file that exists is checked even in prefer/require.
        let verify_chain = matches!(self.sslmode, SslMode::VerifyCa | SslMode::VerifyFull)
            || matches!(root, Some(RootCert::File(_)));
        let verify_host = self.sslmode == SslMode::VerifyFull;
        if let Some(RootCert::File(path)) = &root {
            let what = "root certificate file (sslrootcert)";
            let pem = read_file(path, what)?;
            let certs = native_tls::Certificate::stack_from_pem(&pem).map_err(|e| {
                ConnInfoError::CertFile {
                    what,
                    path: path.clone(),
                    reason: format!("not a PEM certificate file ({e})"),
                }
            })?;
            if certs.is_empty() {
                return Err(ConnInfoError::CertFile {
                    what,
                    path: path.clone(),
                    reason: "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
                });
            }
            for cert in certs {
                builder.add_root_certificate(cert);
            }
            // Only the named CAs are trusted, as in libpq.
            builder.disable_built_in_roots(true);
        }
        if !verify_chain {
            builder.danger_accept_invalid_certs(true);
        }
        if !verify_host {
            builder.danger_accept_invalid_hostnames(true);
        }
        if let Some(identity) = self.client_identity()? {
            builder.identity(identity);
        }
        Ok(Some(super::lazy_tls::LazyTls::new(builder)))
    }

    fn client_identity(&self) -> Result<Option<native_tls::Identity>, ConnInfoError> {
        let Some((cert_path, explicit)) = &self.sslcert else {
            return Ok(None);
        };
        if !explicit && !cert_path.is_file() {
            return Ok(None);
        }
        let cert = read_file(cert_path, "client certificate file (sslcert)")?;
        let Some(key_path) = &self.sslkey else {
            return Err(ConnInfoError::CertFile {
                what: "client certificate file (sslcert)",
                path: cert_path.clone(),
                reason: "no key file: set sslkey".into(),
            });
        };
        let what = "client key file (sslkey)";
        let key = read_file(key_path, what)?;
        let key = trim_ascii_start(&key);
        if !key.starts_with(b"-----BEGIN PRIVATE KEY-----") {
            let reason = if key.starts_with(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") {
                "the key is encrypted, which is not supported; decrypt it with \
                 `openssl pkey -in KEY -out PLAIN_KEY`"
            } else {
                "the key must be an unencrypted PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----); \
                 convert it with `openssl pkcs8 -topk8 -nocrypt -in KEY -out NEW_KEY`"
            };
            return Err(ConnInfoError::CertFile {
                what,
                path: key_path.clone(),
                reason: reason.into(),
            });
        }
        native_tls::Identity::from_pkcs8(&cert, key)
            .map(Some)
            .map_err(|e| ConnInfoError::CertFile {
                what: "client certificate and key",
                path: cert_path.clone(),
                reason: format!("they cannot be loaded together: {e}"),
            })
    }
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

fn read_file(path: &Path, what: &'static str) -> Result<Vec<u8>, ConnInfoError> {
    std::fs::read(path).map_err(|e| ConnInfoError::CertFile {
        what,
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// Parsing the two forms into raw settings.

fn parse_raw(conninfo: &str) -> Result<RawSettings, ConnInfoError> {
    // Trailing whitespace too: a URL pasted into a variable often ends in a newline.
    let trimmed = conninfo.trim();
    for prefix in ["postgresql://", "postgres://"] {
        // By bytes: the string may hold a multi-byte character where the scheme would end.
        if trimmed
            .as_bytes()
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
        {
            return parse_url(&trimmed[prefix.len()..]);
        }
    }
    if let Some(scheme_end) = trimmed.find("://") {
        let scheme = &trimmed[..scheme_end];
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        {
            return Err(ConnInfoError::MalformedUrl(format!(
                "unsupported scheme \"{scheme}\"; use postgres:// or postgresql://"
            )));
        }
    }
    parse_key_values(conninfo)
}

fn key_known(key: &str) -> bool {
    KEYS.iter().any(|(k, _)| *k == key)
}

/// Check a key and store its value; later occurrences win, as in libpq.
fn store(raw: &mut RawSettings, key: &str, value: String) -> Result<(), ConnInfoError> {
    if let Some((_, reason)) = UNSUPPORTED.iter().find(|(k, _)| *k == key) {
        return Err(ConnInfoError::Unsupported {
            setting: key.into(),
            reason: (*reason).into(),
        });
    }
    if !key_known(key) {
        return Err(unknown_key(key, Origin::String));
    }
    raw.insert(key.to_string(), (value, Origin::String));
    Ok(())
}

fn unknown_key(key: &str, origin: Origin) -> ConnInfoError {
    let suggestion = KEYS
        .iter()
        .map(|(k, _)| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| format!(" (did you mean \"{k}\"?)"))
        .unwrap_or_default();
    ConnInfoError::UnknownKey {
        key: key.into(),
        origin: origin.suffix(),
        suggestion,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// libpq's `key=value` form: whitespace-separated, spaces allowed around `=`, values in single
/// quotes when they hold spaces, backslash escaping `'` and `\`.
fn parse_key_values(s: &str) -> Result<RawSettings, ConnInfoError> {
    let mut raw = RawSettings::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    // Set after an unquoted password: an unknown "key" there may be the rest of the password.
    let mut after_bare_password = false;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() {
            break;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i >= chars.len() || chars[i] != '=' {
            // Never repeat the word: it may be a piece of a password with a space in it.
            return Err(ConnInfoError::Syntax(format!(
                "a word at character {} is not followed by \"=\"; write key=value pairs, and \
                 quote values that contain spaces: key='a value'",
                start + 1
            )));
        }
        if key.is_empty() {
            return Err(ConnInfoError::Syntax(format!(
                "\"=\" without a key at character {}",
                i + 1
            )));
        }
        i += 1;
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        let quoted = i < chars.len() && chars[i] == '\'';
        if quoted {
            i += 1;
            let mut closed = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' if i + 1 < chars.len() => {
                        value.push(chars[i + 1]);
                        i += 2;
                    }
                    '\'' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
            if !closed {
                return Err(ConnInfoError::Syntax(format!(
                    "the quoted value of \"{key}\" has no closing quote"
                )));
            }
        } else {
            while i < chars.len() && !chars[i].is_whitespace() {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    value.push(chars[i + 1]);
                    i += 2;
                } else {
                    value.push(chars[i]);
                    i += 1;
                }
            }
        }
        if after_bare_password && !key_known(&key) && !UNSUPPORTED.iter().any(|(k, _)| *k == key) {
            return Err(ConnInfoError::UnknownKeyAfterPassword);
        }
        after_bare_password = key == "password" && !quoted;
        store(&mut raw, &key, value)?;
    }
    Ok(raw)
}

/// Percent-decode one part of a URL; `part` names it in errors, which never show the text.
fn decode(s: &str, part: &str) -> Result<String, ConnInfoError> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit();
            if !ok {
                return Err(ConnInfoError::MalformedUrl(format!(
                    "a \"%\" in the {part} is not followed by two hex digits; write a literal % \
                     as %25"
                )));
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    let decoded = percent_decode_str(s).decode_utf8().map_err(|_| {
        ConnInfoError::MalformedUrl(format!(
            "the {part} is not valid UTF-8 after percent-decoding"
        ))
    })?;
    if decoded.contains('\0') {
        return Err(ConnInfoError::MalformedUrl(format!(
            "the {part} contains %00, which cannot be used"
        )));
    }
    Ok(decoded.into_owned())
}

/// `postgresql://[user[:password]@][host][:port][,...][/dbname][?key=value&...]`, the part after
/// the scheme.
fn parse_url(rest: &str) -> Result<RawSettings, ConnInfoError> {
    let (before_query, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    // As in libpq, the authority ends at the first '/', so a '/' in a password must be
    // percent-encoded; an unencoded '@' in it is tolerated (the last '@' ends the user info).
    let (authority, path) = match before_query.find('/') {
        Some(slash) => (&before_query[..slash], Some(&before_query[slash + 1..])),
        None => (before_query, None),
    };
    let (userinfo, netloc) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    // An "@" after the host part: most likely a password holding a "/" or "?", which ended the
    // host part inside the user information. What was parsed as host, port or database name is
    // then a piece of the password, and no message may show it. A database name holding an "@"
    // is written %40; in a query value (Azure's `user=me@server`) one is allowed when the host
    // part has no user information it could have been cut from.
    let misplaced_at = userinfo.is_none() && rest[authority.len()..].contains('@');
    // With a password in the user information, an "@" in the query is as likely the real end
    // of a password that held "@" and then "?" (the query then starts inside the password, and
    // its keys and values are pieces of it), so such a URL is refused whatever follows.
    let password_in_url = userinfo.is_some_and(|u| u.contains(':'));
    let query_at = query.is_some_and(|q| q.contains('@'));
    if path.is_some_and(|p| p.contains('@')) || (password_in_url && query_at) {
        return Err(split_user_info());
    }
    let mut raw = parse_url_parts(userinfo, netloc, path, query, misplaced_at);
    if misplaced_at && raw.is_err() {
        raw = Err(split_user_info());
    }
    raw
}

/// The error for a URL whose user information was cut short; it names no part of the URL.
fn split_user_info() -> ConnInfoError {
    ConnInfoError::MalformedUrl(
        "an \"@\" comes after the host part: a \"/\" or \"?\" in the user name or password \
         ends the host part early, and an \"@\" in the database name, or in a query value of \
         a URL that holds a password, must be written %40 (this message leaves the URL out so \
         that no piece of a password is shown); percent-encode \
         those characters in the URL (/ as %2F, ? as %3F, @ as %40, # as %23, % as %25), or \
         leave the password out of the URL and give it with password_env"
            .into(),
    )
}

/// The pieces of a URL after the scheme, split by `parse_url`, as raw settings. With
/// `misplaced_at`, a port that is not a number is an error here (not later, where the message
/// would quote it).
fn parse_url_parts(
    userinfo: Option<&str>,
    netloc: &str,
    path: Option<&str>,
    query: Option<&str>,
    misplaced_at: bool,
) -> Result<RawSettings, ConnInfoError> {
    let mut raw = RawSettings::new();
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.find(':') {
            Some(c) => (&userinfo[..c], Some(&userinfo[c + 1..])),
            None => (userinfo, None),
        };
        if !user.is_empty() {
            raw.insert("user".into(), (decode(user, "user name")?, Origin::String));
        }
        if let Some(password) = password {
            raw.insert(
                "password".into(),
                (decode(password, "password")?, Origin::String),
            );
        }
    }
    if !netloc.is_empty() {
        let mut hosts = Vec::new();
        let mut ports = Vec::new();
        for item in netloc.split(',') {
            let (host, port) = split_host_port(item)?;
            if misplaced_at && !(port.is_empty() || port.parse::<u16>().is_ok_and(|p| p != 0)) {
                return Err(split_user_info());
            }
            hosts.push(decode(host, "host")?);
            ports.push(port.to_string());
        }
        if hosts.iter().any(|h| !h.is_empty()) {
            raw.insert("host".into(), (hosts.join(","), Origin::String));
        }
        if ports.iter().any(|p| !p.is_empty()) {
            raw.insert("port".into(), (ports.join(","), Origin::String));
        }
    }
    if let Some(path) = path.filter(|p| !p.is_empty()) {
        raw.insert(
            "dbname".into(),
            (decode(path, "database name")?, Origin::String),
        );
    }
    if let Some(query) = query {
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(ConnInfoError::MalformedUrl(
                    "a query parameter has no \"=\"; write ?key=value&key=value".into(),
                ));
            };
            let key = decode(key, "query parameter name")?;
            let value = decode(value, &format!("value of query parameter \"{key}\""))?;
            // libpq's concession to JDBC URLs.
            if key == "ssl" {
                if value == "true" {
                    raw.insert("sslmode".into(), ("require".into(), Origin::String));
                    continue;
                }
                return Err(ConnInfoError::InvalidValue {
                    key: "ssl".into(),
                    value,
                    origin: String::new(),
                    expected: "true (or use sslmode=...)".into(),
                });
            }
            store(&mut raw, &key, value)?;
        }
    }
    Ok(raw)
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` → (host, port), either possibly empty.
fn split_host_port(item: &str) -> Result<(&str, &str), ConnInfoError> {
    if let Some(inner) = item.strip_prefix('[') {
        let Some(close) = inner.find(']') else {
            return Err(ConnInfoError::MalformedUrl(
                "an IPv6 address has \"[\" but no closing \"]\"".into(),
            ));
        };
        let host = &inner[..close];
        let after = &inner[close + 1..];
        if host.is_empty() {
            return Err(ConnInfoError::MalformedUrl(
                "an IPv6 address in [] is empty".into(),
            ));
        }
        if after.is_empty() {
            return Ok((host, ""));
        }
        return match after.strip_prefix(':') {
            Some(port) => Ok((host, port)),
            None => Err(ConnInfoError::MalformedUrl(
                "after \"]\" of an IPv6 address only \":port\" may follow".into(),
            )),
        };
    }
    match item.matches(':').count() {
        0 => Ok((item, "")),
        1 => Ok(item.split_once(':').unwrap_or((item, ""))),
        _ => Err(ConnInfoError::MalformedUrl(
            "an IPv6 address in a URL must be in brackets, e.g. postgres://[::1]:5432/db".into(),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Turning raw settings into a ConnInfo.

fn interpret(
    raw: &RawSettings,
    env_password: Option<String>,
    defaults: &SystemDefaults,
) -> Result<ConnInfo, ConnInfoError> {
    let get = |key: &str| -> Option<(&str, Origin)> {
        raw.get(key)
            .filter(|(v, _)| !v.is_empty())
            .map(|(v, o)| (v.as_str(), *o))
    };
    let invalid =
        |key: &str, value: &str, origin: Origin, expected: &str| ConnInfoError::InvalidValue {
            key: key.into(),
            value: value.into(),
            origin: origin.suffix(),
            expected: expected.into(),
        };

    if let Some((_, origin)) = get("service") {
        return Err(ConnInfoError::Unsupported {
            setting: match origin {
                Origin::Env(var) => format!("service (from {var})"),
                Origin::String => "service".into(),
            },
            reason: SERVICE_REASON.into(),
        });
    }

    let hosts = interpret_hosts(raw, defaults)?;

    let user = match get("user") {
        Some((u, _)) => u.to_string(),
        None => defaults.os_user.clone().ok_or(ConnInfoError::NoUser)?,
    };
    let dbname = get("dbname")
        .map(|(d, _)| d.to_string())
        .unwrap_or_else(|| user.clone());

    let sslrootcert = get("sslrootcert").map(|(v, _)| match v {
        "system" => RootCert::System,
        path => RootCert::File(PathBuf::from(path)),
    });
    let sslmode = match get("sslmode") {
        Some((v, origin)) => v.parse::<SslMode>().map_err(|_| {
            invalid(
                "sslmode",
                v,
                origin,
                "disable, allow, prefer, require, verify-ca or verify-full",
            )
        })?,
        // libpq 16: trusting the public CAs implies checking the host name.
        None if sslrootcert == Some(RootCert::System) => SslMode::VerifyFull,
        None => SslMode::Prefer,
    };
    if sslrootcert == Some(RootCert::System) && sslmode != SslMode::VerifyFull {
        return Err(ConnInfoError::Tls(format!(
            "sslrootcert=system requires sslmode=verify-full, not {sslmode}"
        )));
    }

    let postgresql_dir = defaults.home.as_ref().map(|h| h.join(".postgresql"));
    let sslcert = match get("sslcert") {
        Some((p, _)) => Some((PathBuf::from(p), true)),
        None => postgresql_dir
            .as_ref()
            .map(|d| (d.join("postgresql.crt"), false)),
    };
    let sslkey = match get("sslkey") {
        Some((p, _)) => Some(PathBuf::from(p)),
        None => postgresql_dir.as_ref().map(|d| d.join("postgresql.key")),
    };
    let default_root_cert = postgresql_dir.as_ref().map(|d| d.join("root.crt"));

    let passfile = match get("passfile") {
        Some((p, _)) => Some(PathBuf::from(p)),
        None => defaults.home.as_ref().map(|h| h.join(".pgpass")),
    };

    let parse_bool = |key: &str| -> Result<Option<bool>, ConnInfoError> {
        match get(key) {
            None => Ok(None),
            Some(("1", _)) => Ok(Some(true)),
            Some(("0", _)) => Ok(Some(false)),
            Some((v, origin)) => Err(invalid(key, v, origin, "0 or 1")),
        }
    };
    let parse_secs = |key: &str| -> Result<Option<u64>, ConnInfoError> {
        match get(key) {
            None => Ok(None),
            Some((v, origin)) => match v.trim().parse::<i64>() {
                Ok(n) => Ok(Some(n.max(0) as u64)),
                Err(_) => Err(invalid(key, v, origin, "a whole number of seconds")),
            },
        }
    };

    let connect_timeout = parse_secs("connect_timeout")?;
    let sslsni = parse_bool("sslsni")?.unwrap_or(true);
    // Compression is gone from every TLS library libpq supports; libpq ignores it too.
    parse_bool("sslcompression")?;
    let keepalives = parse_bool("keepalives")?.unwrap_or(true);
    let keepalives_idle = parse_secs("keepalives_idle")?.map(Duration::from_secs);
    let keepalives_interval = parse_secs("keepalives_interval")?.map(Duration::from_secs);
    let keepalives_count = match get("keepalives_count") {
        None => None,
        Some((v, origin)) => Some(
            v.parse::<u32>()
                .map_err(|_| invalid("keepalives_count", v, origin, "a whole number"))?,
        ),
    };
    // libpq's tcp_user_timeout is in milliseconds.
    let tcp_user_timeout = match get("tcp_user_timeout") {
        None => None,
        Some((v, origin)) => Some(Duration::from_millis(v.parse::<u64>().map_err(|_| {
            invalid(
                "tcp_user_timeout",
                v,
                origin,
                "a whole number of milliseconds",
            )
        })?)),
    };

    let target_session_attrs = match get("target_session_attrs") {
        None | Some(("any", _)) => TargetSessionAttrs::Any,
        Some(("read-write", _)) => TargetSessionAttrs::ReadWrite,
        Some(("read-only", _)) => TargetSessionAttrs::ReadOnly,
        Some(("primary", _)) => TargetSessionAttrs::Primary,
        Some(("standby", _)) => TargetSessionAttrs::Standby,
        Some(("prefer-standby", _)) => TargetSessionAttrs::PreferStandby,
        Some((v, origin)) => {
            return Err(invalid(
                "target_session_attrs",
                v,
                origin,
                "any, read-write, read-only, primary, standby or prefer-standby",
            ));
        }
    };
    let channel_binding = match get("channel_binding") {
        None | Some(("prefer", _)) => ChannelBinding::Prefer,
        Some(("disable", _)) => ChannelBinding::Disable,
        Some(("require", _)) => ChannelBinding::Require,
        Some((v, origin)) => {
            return Err(invalid(
                "channel_binding",
                v,
                origin,
                "disable, prefer or require",
            ));
        }
    };
    // Settings we accept only at the value that needs no support from us.
    match get("gssencmode") {
        None | Some(("disable" | "prefer", _)) => {}
        Some((v, _)) => {
            return Err(ConnInfoError::Unsupported {
                setting: format!("gssencmode={v}"),
                reason: "GSSAPI encryption is not supported; use TLS (sslmode)".into(),
            });
        }
    }
    match get("client_encoding") {
        None => {}
        Some((v, _))
            if ["utf8", "utf-8", "unicode", "auto"].contains(&v.to_ascii_lowercase().as_str()) => {}
        Some((v, _)) => {
            return Err(ConnInfoError::Unsupported {
                setting: format!("client_encoding={v}"),
                reason: "pgdrift always talks UTF8 to the server".into(),
            });
        }
    }
    match get("sslnegotiation") {
        None | Some(("postgres", _)) => {}
        Some((v, _)) => {
            return Err(ConnInfoError::Unsupported {
                setting: format!("sslnegotiation={v}"),
                reason: "only the standard negotiation (postgres) is supported".into(),
            });
        }
    }
    match get("load_balance_hosts") {
        None | Some(("disable", _)) => {}
        Some((v, _)) => {
            return Err(ConnInfoError::Unsupported {
                setting: format!("load_balance_hosts={v}"),
                reason: "hosts are always tried in the order given".into(),
            });
        }
    }

    Ok(ConnInfo {
        hosts,
        dbname,
        user,
        password: get("password").map(|(p, _)| p.to_string()),
        caller_password: None,
        env_password,
        passfile,
        default_socket_dir: defaults.socket_dir.clone(),
        sslmode,
        sslrootcert,
        default_root_cert,
        sslcert,
        sslkey,
        sslsni,
        connect_timeout,
        application_name: get("application_name").map(|(v, _)| v.to_string()),
        fallback_application_name: get("fallback_application_name").map(|(v, _)| v.to_string()),
        options: get("options").map(|(v, _)| v.to_string()),
        target_session_attrs,
        channel_binding,
        keepalives,
        keepalives_idle,
        keepalives_interval,
        keepalives_count,
        tcp_user_timeout,
    })
}

fn split_list(value: Option<(&str, Origin)>) -> Vec<String> {
    match value {
        Some((v, _)) if !v.is_empty() => v.split(',').map(|s| s.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

fn interpret_hosts(
    raw: &RawSettings,
    defaults: &SystemDefaults,
) -> Result<Vec<HostSpec>, ConnInfoError> {
    let get = |key: &str| raw.get(key).map(|(v, o)| (v.as_str(), *o));
    let hosts = split_list(get("host"));
    let addrs = split_list(get("hostaddr"));
    let ports = split_list(get("port"));
    if !hosts.is_empty() && !addrs.is_empty() && hosts.len() != addrs.len() {
        return Err(ConnInfoError::Hosts(format!(
            "{} host names but {} hostaddr values: give one hostaddr per host",
            hosts.len(),
            addrs.len()
        )));
    }
    let n = hosts.len().max(addrs.len()).max(1);
    if ports.len() > 1 && ports.len() != n {
        return Err(ConnInfoError::Hosts(format!(
            "{} ports for {n} host(s): give one port for all hosts or one port per host",
            ports.len()
        )));
    }
    let port_origin = get("port").map(|(_, o)| o).unwrap_or(Origin::String);
    let addr_origin = get("hostaddr").map(|(_, o)| o).unwrap_or(Origin::String);
    let default_host = || match &defaults.socket_dir {
        Some(dir) => dir.to_string_lossy().into_owned(),
        None => "localhost".to_string(),
    };
    (0..n)
        .map(|i| {
            let port_text = if ports.len() == 1 {
                ports[0].as_str()
            } else {
                ports.get(i).map(String::as_str).unwrap_or("")
            };
            let port = if port_text.is_empty() {
                DEFAULT_PORT
            } else {
                match port_text.parse::<u16>() {
                    Ok(p) if p != 0 => p,
                    _ => {
                        return Err(ConnInfoError::InvalidValue {
                            key: "port".into(),
                            value: port_text.into(),
                            origin: port_origin.suffix(),
                            expected: "a port number from 1 to 65535".into(),
                        });
                    }
                }
            };
            let hostaddr = match addrs.get(i).filter(|a| !a.is_empty()) {
                None => None,
                Some(a) => Some(
                    a.parse::<IpAddr>()
                        .map_err(|_| ConnInfoError::InvalidValue {
                            key: "hostaddr".into(),
                            value: a.clone(),
                            origin: addr_origin.suffix(),
                            expected: "a numeric IPv4 or IPv6 address (names go in host)".into(),
                        })?,
                ),
            };
            let host = hosts.get(i).filter(|h| !h.is_empty()).cloned();
            let host = match (&host, &hostaddr) {
                (None, None) => Some(default_host()),
                _ => host,
            };
            Ok(HostSpec {
                host,
                hostaddr,
                port,
                via: None,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The password file.

#[derive(Debug, PartialEq, Eq)]
enum PassFileLookup {
    Found(String),
    NotFound,
    /// The file exists but was not used; the text says why, for the authentication error.
    Ignored(String),
}

/// Look a password up in a libpq password file. Like libpq, a file that group or others may
/// access is ignored (it would leak the passwords), and so is anything that is not a plain file.
fn read_passfile(path: &Path, host: &str, port: u16, db: &str, user: &str) -> PassFileLookup {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return PassFileLookup::NotFound;
    };
    if !meta.is_file() {
        return PassFileLookup::NotFound;
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        return PassFileLookup::Ignored(format!(
            "the password file {} was ignored because group or others can access it \
             (mode {:04o}); run chmod 0600 on it",
            path.display(),
            mode & 0o7777
        ));
    }
    match std::fs::read_to_string(path) {
        Ok(text) => match passfile_lookup(&text, host, port, db, user) {
            Some(p) => PassFileLookup::Found(p),
            None => PassFileLookup::NotFound,
        },
        Err(e) => PassFileLookup::Ignored(format!(
            "the password file {} could not be read: {e}",
            path.display()
        )),
    }
}

/// The first line of a password file that matches `host:port:db:user`: `*` matches anything,
/// `\:` and `\\` stand for `:` and `\`, lines starting with `#` are comments.
fn passfile_lookup(text: &str, host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let port = port.to_string();
    let wanted = [host, port.as_str(), db, user];
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = Vec::with_capacity(5);
        let mut field = String::new();
        let mut raw_field_is_star = true;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            if fields.len() == 4 {
                // The password: the rest of the line, escapes removed.
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        field.push(next);
                    }
                } else {
                    field.push(c);
                }
                continue;
            }
            match c {
                '\\' => {
                    raw_field_is_star = false;
                    if let Some(next) = chars.next() {
                        field.push(next);
                    }
                }
                ':' => {
                    let is_star = raw_field_is_star && field == "*";
                    fields.push((std::mem::take(&mut field), is_star));
                    raw_field_is_star = true;
                }
                c => field.push(c),
            }
        }
        if fields.len() < 4 {
            continue;
        }
        let matches = fields
            .iter()
            .zip(wanted)
            .all(|((value, is_star), want)| *is_star || value == want);
        if matches {
            return Some(field);
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// Connecting.

/// Why one connection attempt failed, in terms a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// Nothing listens on that host and port.
    Refused,
    /// No socket file in the socket directory.
    NoSocket(PathBuf),
    /// The host name does not resolve.
    Dns {
        host: String,
        detail: String,
    },
    /// No answer within the connect timeout.
    Timeout(Duration),
    /// The server rejected the password.
    Authentication {
        user: String,
        source: Option<PasswordSource>,
        note: Option<String>,
    },
    /// The server wants a password and none was found.
    PasswordMissing {
        passfile: Option<PathBuf>,
        note: Option<String>,
    },
    /// pg_hba.conf (or the role) refuses this connection; the server's words.
    Rejected {
        message: String,
        hint: String,
    },
    DatabaseMissing {
        database: String,
    },
    /// The TLS handshake or the certificate check failed.
    Tls {
        detail: String,
        sslmode: SslMode,
    },
    /// sslmode requires TLS and the server does not offer it.
    TlsUnsupported {
        sslmode: SslMode,
    },
    /// The server is not what target_session_attrs asks for.
    SessionAttrs {
        wanted: TargetSessionAttrs,
        detail: String,
    },
    /// Any other error the server reported.
    Server {
        code: String,
        message: String,
    },
    /// The connection settings cannot be used.
    Config(ConnInfoError),
    /// Anything else (the connection closed early, a protocol error).
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Refused => f.write_str(
                "connection refused. Is the server running on that host and port, and accepting \
                 TCP/IP connections?",
            ),
            Failure::NoSocket(path) => write!(
                f,
                "no server socket at {}. Is the server running on this machine, and are the \
                 socket directory (host) and port right?",
                path.display()
            ),
            Failure::Dns { host, detail } => write!(
                f,
                "could not resolve the host name \"{host}\" ({detail}). Check the host in the \
                 connection string, and the machine's DNS."
            ),
            Failure::Timeout(d) => write!(
                f,
                "no answer within {}s (connect_timeout). Check the host and port and that no \
                 firewall drops the connection; raise connect_timeout for a slow server.",
                d.as_secs()
            ),
            Failure::Authentication { user, source, note } => {
                write!(f, "password authentication failed for user \"{user}\"")?;
                if let Some(source) = source {
                    write!(f, " (the password came from {source})")?;
                }
                f.write_str(
                    ". Check the password given in the connection string, the target's \
                     password_env, PGPASSWORD or the password file (~/.pgpass).",
                )?;
                if let Some(note) = note {
                    write!(f, " Note: {note}.")?;
                }
                Ok(())
            }
            Failure::PasswordMissing { passfile, note } => {
                f.write_str(
                    "the server asks for a password and none was given. Put it in the \
                     connection string, name a variable holding it with the target's \
                     password_env, set PGPASSWORD, or add a line to the password file",
                )?;
                match passfile {
                    Some(p) => write!(f, " {}.", p.display())?,
                    None => f.write_str(" (~/.pgpass).")?,
                }
                if let Some(note) = note {
                    write!(f, " Note: {note}.")?;
                }
                Ok(())
            }
            Failure::Rejected { message, hint } => {
                write!(f, "the server rejected the connection: {message}. {hint}")
            }
            Failure::DatabaseMissing { database } => write!(
                f,
                "database \"{database}\" does not exist on that server. Check the database name \
                 (dbname, or the URL's path), or create the database."
            ),
            Failure::Tls { detail, sslmode } => {
                write!(f, "TLS failed with sslmode={sslmode}: {detail}. ")?;
                f.write_str(tls_hint(detail, *sslmode))
            }
            Failure::TlsUnsupported { sslmode } => write!(
                f,
                "the server does not offer TLS, and sslmode={sslmode} requires it. Enable ssl \
                 on the server, and check that host and port reach the server meant (a pooler \
                 or proxy in between may not speak TLS)."
            ),
            Failure::SessionAttrs { wanted, detail } => write!(
                f,
                "{detail}, but target_session_attrs={} asks for another kind of server",
                wanted.as_str()
            ),
            Failure::Server { code, message } => {
                write!(f, "the server refused: {message} (SQLSTATE {code})")
            }
            Failure::Config(e) => write!(f, "{e}"),
            Failure::Other(detail) => f.write_str(detail),
        }
    }
}

/// Advice for a failed TLS handshake. It never suggests checking less (a weaker sslmode, no
/// sslrootcert): a certificate that does not verify is a problem to fix, not to switch off.
fn tls_hint(detail: &str, sslmode: SslMode) -> &'static str {
    let d = detail.to_ascii_lowercase();
    if d.contains("expired") {
        "The server's certificate has expired: renew it on the server, or, if it should still \
         be valid, check this machine's clock."
    } else if d.contains("not yet valid") {
        "The server's certificate is not valid yet: check this machine's clock (and the \
         server's), or the certificate's start date."
    } else if d.contains("revoked") {
        "The server's certificate was revoked: the server needs a new certificate."
    } else if d.contains("hostname mismatch") || d.contains("ip address mismatch") {
        "The server's certificate does not name the host connected to: connect with a host name \
         the certificate lists, or have the certificate reissued for this name."
    } else if (d.contains("certificate verify failed") || d.contains("self-signed"))
        && sslmode >= SslMode::VerifyCa
    {
        "The server's certificate is not signed by a CA in sslrootcert: set sslrootcert to the \
         file of the CA that signed it (the database's operator can give it)."
    } else if d.contains("certificate verify failed") || d.contains("self-signed") {
        "The server's certificate is not signed by the CA in sslrootcert (or \
         ~/.postgresql/root.crt), which libpq and pgdrift check even in this sslmode: set \
         sslrootcert to the file of the CA that signed it."
    } else if sslmode >= SslMode::VerifyCa {
        "Check sslmode and sslrootcert, and that the server's TLS setup is valid."
    } else {
        "Check the server's TLS setup, or sslmode and sslrootcert."
    }
}

/// OpenSSL's messages carry error codes and source file positions
/// ("error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify
/// failed:../ssl/statem/statem_clnt.c:1889: (IP address mismatch)"); keep the words.
fn tidy_tls_detail(detail: &str) -> String {
    let detail = detail.trim_start_matches("error performing TLS handshake: ");
    let codes = regex::Regex::new(r"error:[0-9A-Fa-f]+:[^:]*:[^:]*:").expect("valid regex");
    let files = regex::Regex::new(r":?[^\s:]*\.c:\d+:?").expect("valid regex");
    let tidy = codes.replace_all(detail, "");
    let tidy = files.replace_all(&tidy, "");
    let tidy = tidy.split_whitespace().collect::<Vec<_>>().join(" ");
    if tidy.is_empty() {
        detail.to_string()
    } else {
        tidy
    }
}

/// A failed attempt on one host (address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostFailure {
    /// "db.example.com:5432 (10.0.0.5)", or the socket path.
    pub host: String,
    pub failure: Failure,
}

/// Every host was tried and none could be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectError {
    database: String,
    user: String,
    failures: Vec<HostFailure>,
}

impl ConnectError {
    /// Each attempt, in the order made.
    pub fn failures(&self) -> &[HostFailure] {
        &self.failures
    }

    /// The last attempt's failure: for a single host, the reason.
    pub fn failure(&self) -> &Failure {
        static NONE: Failure = Failure::Other(String::new());
        self.failures.last().map(|f| &f.failure).unwrap_or(&NONE)
    }

    pub fn database(&self) -> &str {
        &self.database
    }

    pub fn user(&self) -> &str {
        &self.user
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not connect to database \"{}\" as user \"{}\"",
            self.database, self.user
        )?;
        match self.failures.as_slice() {
            [] => f.write_str(": no host to connect to"),
            [one] => write!(f, " on {}: {}", one.host, one.failure),
            many => {
                f.write_str(":")?;
                for one in many {
                    write!(f, "\n  - {}: {}", one.host, one.failure)?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ConnectError {}

/// Where one attempt goes.
enum Endpoint {
    Unix(PathBuf),
    Tcp {
        name: Option<String>,
        addr: IpAddr,
    },
    /// A tunnel's local socket; `tls_name` is the server's name the certificate is checked
    /// against (none when the tunnel ends at a Unix socket, where there is no TLS).
    Forwarded {
        socket: PathBuf,
        tls_name: Option<String>,
    },
}

/// Connect the way libpq would: each host in order (each address of a host name in turn), TLS
/// as `sslmode` says, the password by libpq's precedence. `application_name` is used unless the
/// connection string sets one (it is libpq's `fallback_application_name`); `connect_timeout` is
/// the limit per attempt unless the string sets one. The connection runs on a spawned tokio task,
/// so this must be called inside a tokio runtime.
pub async fn connect(
    info: &ConnInfo,
    application_name: &str,
    connect_timeout: Duration,
) -> Result<Session, ConnectError> {
    let mut error = ConnectError {
        database: info.dbname.clone(),
        user: info.user.clone(),
        failures: Vec::new(),
    };
    let tls = match info.tls_connector() {
        Ok(tls) => tls,
        Err(e) => {
            error.failures.push(HostFailure {
                host: info.host_display(),
                failure: Failure::Config(e),
            });
            return Err(error);
        }
    };
    let timeout = match info.connect_timeout() {
        Some(t) => t,
        None if connect_timeout.is_zero() => None,
        None => Some(connect_timeout),
    };
    let app = info
        .application_name
        .as_deref()
        .or(info.fallback_application_name.as_deref())
        .unwrap_or(application_name);
    // prefer-standby: a standby if any host is one, else any server.
    let passes: &[TargetSessionAttrs] = match info.target_session_attrs {
        TargetSessionAttrs::PreferStandby => {
            &[TargetSessionAttrs::Standby, TargetSessionAttrs::Any]
        }
        TargetSessionAttrs::Any => &[TargetSessionAttrs::Any],
        TargetSessionAttrs::ReadWrite => &[TargetSessionAttrs::ReadWrite],
        TargetSessionAttrs::ReadOnly => &[TargetSessionAttrs::ReadOnly],
        TargetSessionAttrs::Primary => &[TargetSessionAttrs::Primary],
        TargetSessionAttrs::Standby => &[TargetSessionAttrs::Standby],
    };
    for &attrs in passes {
        for spec in &info.hosts {
            let endpoints = match endpoints(spec, timeout).await {
                Ok(e) => e,
                Err(failure) => {
                    error.failures.push(HostFailure {
                        host: spec.to_string(),
                        failure,
                    });
                    continue;
                }
            };
            let several = endpoints.len() > 1;
            for endpoint in endpoints {
                let label = match (&endpoint, several || spec.hostaddr.is_some()) {
                    (Endpoint::Tcp { addr, .. }, true) if spec.host.is_some() => {
                        format!(
                            "{} ({addr})",
                            host_port(spec.host.as_deref().unwrap_or(""), spec.port)
                        )
                    }
                    _ => spec.to_string(),
                };
                let attempt = Attempt {
                    info,
                    spec,
                    endpoint: &endpoint,
                    tls: tls.as_ref(),
                    app,
                    timeout,
                    attrs,
                    label: &label,
                };
                match attempt.run().await {
                    Ok(client) => return Ok(client),
                    Err(failure) => error.failures.push(HostFailure {
                        host: label.clone(),
                        failure,
                    }),
                }
            }
        }
    }
    Err(error)
}

async fn endpoints(spec: &HostSpec, timeout: Option<Duration>) -> Result<Vec<Endpoint>, Failure> {
    if let Some(socket) = &spec.via {
        // The far end of the tunnel resolves the name: nothing is looked up here.
        let tls_name = (!spec.is_unix_socket()).then(|| {
            spec.host
                .clone()
                .or_else(|| spec.hostaddr.map(|a| a.to_string()))
                .unwrap_or_else(|| "localhost".into())
        });
        return Ok(vec![Endpoint::Forwarded {
            socket: socket.clone(),
            tls_name,
        }]);
    }
    if let Some(addr) = spec.hostaddr {
        return Ok(vec![Endpoint::Tcp {
            name: spec.host.clone(),
            addr,
        }]);
    }
    let host = spec.host.clone().unwrap_or_else(|| "localhost".into());
    if host.starts_with('/') {
        return Ok(vec![Endpoint::Unix(PathBuf::from(host))]);
    }
    if let Ok(addr) = host.parse::<IpAddr>() {
        return Ok(vec![Endpoint::Tcp {
            name: Some(host),
            addr,
        }]);
    }
    let result: std::io::Result<Vec<std::net::SocketAddr>> = {
        let lookup = tokio::net::lookup_host((host.as_str(), spec.port));
        match timeout {
            Some(t) => tokio::time::timeout(t, lookup)
                .await
                .map_err(|_| Failure::Timeout(t))?,
            None => lookup.await,
        }
        .map(|found| found.collect())
    };
    let mut addrs: Vec<IpAddr> = Vec::new();
    match result {
        Ok(found) => {
            for a in found {
                if !addrs.contains(&a.ip()) {
                    addrs.push(a.ip());
                }
            }
        }
        Err(e) => {
            return Err(Failure::Dns {
                host,
                detail: e.to_string(),
            });
        }
    }
    if addrs.is_empty() {
        return Err(Failure::Dns {
            host,
            detail: "it has no addresses".into(),
        });
    }
    Ok(addrs
        .into_iter()
        .map(|addr| Endpoint::Tcp {
            name: Some(host.clone()),
            addr,
        })
        .collect())
}

struct Attempt<'a> {
    info: &'a ConnInfo,
    spec: &'a HostSpec,
    endpoint: &'a Endpoint,
    tls: Option<&'a super::lazy_tls::LazyTls>,
    app: &'a str,
    timeout: Option<Duration>,
    attrs: TargetSessionAttrs,
    label: &'a str,
}

impl Attempt<'_> {
    async fn run(&self) -> Result<Session, Failure> {
        let info = self.info;
        let mut sslmode = info.sslmode;
        // The server never offers TLS on a Unix socket, and libpq does not ask there.
        if matches!(
            self.endpoint,
            Endpoint::Unix(_) | Endpoint::Forwarded { tls_name: None, .. }
        ) {
            sslmode = SslMode::Disable;
        }
        let result = self.once(sslmode).await;
        match result {
            // libpq's prefer/allow fall back to an unencrypted connection when TLS fails.
            Err(Failure::Tls { .. }) if matches!(sslmode, SslMode::Prefer | SslMode::Allow) => {
                self.once(SslMode::Disable).await
            }
            other => other,
        }
    }

    async fn once(&self, sslmode: SslMode) -> Result<Session, Failure> {
        let info = self.info;
        let (password, source, note) = info.password_for(self.spec);
        let mut config = tokio_postgres::Config::new();
        config
            .user(&info.user)
            .dbname(&info.dbname)
            .port(self.spec.port)
            .application_name(self.app)
            .ssl_mode(sslmode.wire())
            .channel_binding(info.channel_binding);
        match self.endpoint {
            Endpoint::Unix(dir) => {
                config.host_path(dir);
            }
            Endpoint::Tcp { name, addr } => {
                // The name is what the certificate is checked against; the address is dialled.
                config
                    .host(name.clone().unwrap_or_else(|| addr.to_string()))
                    .hostaddr(*addr);
            }
            // Dialled below; the stream is handed to tokio-postgres as it is.
            Endpoint::Forwarded { .. } => {}
        }
        if let Some(p) = &password {
            config.password(p.as_bytes());
        }
        if let Some(options) = &info.options {
            config.options(options);
        }
        if let Some(t) = self.timeout {
            config.connect_timeout(t);
        }
        let tcp = info.tcp_liveness();
        config
            .keepalives(tcp.keepalives)
            .keepalives_idle(tcp.idle)
            .keepalives_interval(tcp.interval)
            .keepalives_retries(tcp.count)
            .tcp_user_timeout(tcp.user_timeout);
        match self.attrs {
            TargetSessionAttrs::ReadWrite => {
                config.target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadWrite);
            }
            TargetSessionAttrs::ReadOnly => {
                config.target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadOnly);
            }
            _ => {}
        }

        let label = self.label.to_string();
        // The limit covers the whole attempt: TCP (or the tunnel's socket), TLS, authentication
        // and the role check, so a server that accepts the connection and then stops answering
        // cannot hold it.
        let attempt = async {
            let connected = if let Endpoint::Forwarded { socket, tls_name } = self.endpoint {
                match tokio::net::UnixStream::connect(socket).await {
                    Err(e) => Err(Dial::Tunnel(socket.clone(), e)),
                    Ok(stream) => match (self.tls, sslmode, tls_name) {
                        (Some(tls), mode, Some(name)) if mode != SslMode::Disable => {
                            spawn_forwarded(&config, stream, tls.for_host(name), label).await
                        }
                        _ => spawn_forwarded(&config, stream, NoTls, label).await,
                    }
                    .map_err(Dial::Postgres),
                }
            } else {
                match (self.tls, sslmode) {
                    (Some(tls), mode) if mode != SslMode::Disable => {
                        spawn_connection(&config, tls.clone(), label).await
                    }
                    _ => spawn_connection(&config, NoTls, label).await,
                }
                .map_err(Dial::Postgres)
            };
            let session = match connected {
                Ok(session) => session,
                Err(Dial::Postgres(e)) => {
                    let failure = classify(&e, info, sslmode, self, source, note);
                    return Err(scrub(failure, password.as_deref()));
                }
                Err(Dial::Tunnel(socket, e)) => {
                    return Err(Failure::Other(format!(
                        "the tunnel's local socket {} does not answer ({e}): the tunnel has closed",
                        socket.display()
                    )));
                }
            };
            self.check_role(session).await
        };
        match self.timeout {
            Some(t) => tokio::time::timeout(t, attempt)
                .await
                .unwrap_or(Err(Failure::Timeout(t))),
            None => attempt.await,
        }
    }

    /// primary/standby: libpq asks the server whether it is in recovery.
    async fn check_role(&self, client: Session) -> Result<Session, Failure> {
        let want_standby = match self.attrs {
            TargetSessionAttrs::Primary => false,
            TargetSessionAttrs::Standby => true,
            _ => return Ok(client),
        };
        let rows = client
            .simple_query("SELECT pg_catalog.pg_is_in_recovery()")
            .await
            .map_err(|e| {
                Failure::Other(format!(
                    "cannot ask whether the server is a standby: {}",
                    chain(&e)
                ))
            })?;
        let in_recovery = rows.iter().any(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0) == Some("t"),
            _ => false,
        });
        if in_recovery == want_standby {
            Ok(client)
        } else {
            Err(Failure::SessionAttrs {
                wanted: self.attrs,
                detail: if in_recovery {
                    "the server is a standby".into()
                } else {
                    "the server is a primary".into()
                },
            })
        }
    }
}

/// How long a connection may take to close once its [`Session`] is dropped. A server that
/// answers says goodbye at once; requests still in flight on one that stopped answering would
/// keep the connection waiting for their replies forever.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// A connected client (it derefs to [`Client`]). Dropping it ends the connection's task, within
/// [`CLOSE_GRACE`] even when the server no longer answers, so a read given up on leaves nothing
/// behind that waits.
#[derive(Debug)]
pub struct Session {
    client: Client,
    /// Dropped with the session, which tells the connection task that the client is gone.
    _gone: tokio::sync::oneshot::Sender<()>,
}

impl std::ops::Deref for Session {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// Why opening a connection failed: the server (or the way to it) said no, or a tunnel's
/// local end could not be dialled.
enum Dial {
    Postgres(tokio_postgres::Error),
    Tunnel(PathBuf, std::io::Error),
}

/// As `spawn_connection`, over a tunnel's local socket dialled by the caller.
async fn spawn_forwarded<T>(
    config: &tokio_postgres::Config,
    stream: tokio::net::UnixStream,
    tls: T,
    label: String,
) -> Result<Session, tokio_postgres::Error>
where
    T: TlsConnect<tokio::net::UnixStream>,
    T::Stream: Send + 'static,
{
    let (client, connection) = config.connect_raw(stream, tls).await?;
    Ok(spawn_session(client, connection, label))
}

async fn spawn_connection<T>(
    config: &tokio_postgres::Config,
    tls: T,
    label: String,
) -> Result<Session, tokio_postgres::Error>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
{
    let (client, connection) = config.connect(tls).await?;
    Ok(spawn_session(client, connection, label))
}

/// Run a connection's task until it ends, or until the [`Session`] made here is dropped and
/// [`CLOSE_GRACE`] has passed: the same for a direct connection and one through a tunnel.
fn spawn_session<S, T>(
    client: Client,
    connection: tokio_postgres::Connection<S, T>,
    label: String,
) -> Session
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (gone_tx, gone) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let mut connection = std::pin::pin!(connection);
        let ended = tokio::select! {
            ended = &mut connection => ended,
            _ = gone => match tokio::time::timeout(CLOSE_GRACE, &mut connection).await {
                Ok(ended) => ended,
                // Nobody waits for its answers any more: dropping the connection closes the
                // socket.
                Err(_) => Ok(()),
            },
        };
        if let Err(e) = ended {
            // Queries on the client fail with "connection closed"; this says why.
            crate::stderrln!("pgdrift: the connection to {label} ended: {}", chain(&e));
        }
    });
    Session {
        client,
        _gone: gone_tx,
    }
}

/// An error and its causes, "a: b: c", skipping tokio-postgres's vague top level where a cause
/// says more.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    if parts.len() > 1 && ["db error", "error connecting to server"].contains(&parts[0].as_str()) {
        parts.remove(0);
    }
    parts.join(": ")
}

fn find_io_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a std::io::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cur = err.source();
    }
    None
}

fn classify(
    e: &tokio_postgres::Error,
    info: &ConnInfo,
    sslmode: SslMode,
    attempt: &Attempt<'_>,
    source: Option<PasswordSource>,
    note: Option<String>,
) -> Failure {
    if let Some(db) = e.as_db_error() {
        return match db.code().code() {
            "28P01" => Failure::Authentication {
                user: info.user.clone(),
                source,
                note,
            },
            "3D000" => Failure::DatabaseMissing {
                database: info.dbname.clone(),
            },
            "28000" => {
                let message = db.message().to_string();
                let lower = message.to_ascii_lowercase();
                let hint = if lower.contains("no encryption") || lower.contains("ssl off") {
                    if sslmode == SslMode::Disable {
                        "The server accepts this user only over TLS: use sslmode=require or \
                         stronger."
                    } else {
                        "The server refused an unencrypted connection; check sslmode."
                    }
                } else if lower.contains("does not exist") {
                    "Check the user name (user, or the URL's user part)."
                } else if lower.contains("certificate") {
                    "Set sslcert and sslkey to a client certificate and key the server trusts \
                     for this user."
                } else {
                    "Check the user name and database, and the server's pg_hba.conf rules for \
                     this client."
                };
                Failure::Rejected {
                    message,
                    hint: hint.into(),
                }
            }
            code => Failure::Server {
                code: code.into(),
                message: db.message().into(),
            },
        };
    }
    let top = e.to_string();
    let detail = chain(e);
    if top == "error performing TLS handshake" {
        return if detail.contains("server does not support TLS") {
            Failure::TlsUnsupported { sslmode }
        } else {
            Failure::Tls {
                detail: tidy_tls_detail(&detail),
                sslmode,
            }
        };
    }
    if top == "invalid configuration" && detail.contains("password missing") {
        return Failure::PasswordMissing {
            passfile: info.passfile.clone(),
            note,
        };
    }
    if let Some(io) = find_io_error(e) {
        use std::io::ErrorKind;
        match io.kind() {
            ErrorKind::ConnectionRefused => return Failure::Refused,
            ErrorKind::NotFound => {
                if let Endpoint::Unix(dir) = attempt.endpoint {
                    return Failure::NoSocket(dir.join(format!(".s.PGSQL.{}", attempt.spec.port)));
                }
            }
            ErrorKind::TimedOut => {
                return Failure::Timeout(attempt.timeout.unwrap_or_default());
            }
            ErrorKind::PermissionDenied
                if detail.contains("does not allow writes")
                    || detail.contains("is not read only") =>
            {
                return Failure::SessionAttrs {
                    wanted: info.target_session_attrs,
                    detail: if detail.contains("does not allow writes") {
                        "the server is read-only".into()
                    } else {
                        "the server accepts writes".into()
                    },
                };
            }
            _ => {}
        }
    }
    if top == "authentication error" {
        return Failure::Other(format!("authentication failed: {detail}"));
    }
    if e.is_closed() || top == "error communicating with the server" {
        return Failure::Other(format!(
            "the server closed the connection unexpectedly ({detail}); it may have refused the \
             TLS setup or crashed, see its log"
        ));
    }
    Failure::Other(detail)
}

/// Belt and braces: no server or library message should echo the password, but if one ever
/// does, it does not reach the user.
fn scrub(failure: Failure, password: Option<&str>) -> Failure {
    let Some(pw) = password.filter(|p| p.len() >= 4) else {
        return failure;
    };
    let clean = |s: String| s.replace(pw, "********");
    match failure {
        Failure::Rejected { message, hint } => Failure::Rejected {
            message: clean(message),
            hint,
        },
        Failure::Tls { detail, sslmode } => Failure::Tls {
            detail: clean(detail),
            sslmode,
        },
        Failure::Server { code, message } => Failure::Server {
            code,
            message: clean(message),
        },
        Failure::Other(detail) => Failure::Other(clean(detail)),
        Failure::Dns { host, detail } => Failure::Dns {
            host,
            detail: clean(detail),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::os::unix::fs::PermissionsExt;

    const SECRET: &str = "Sup3r-Secret-pw";

    fn defaults() -> SystemDefaults {
        SystemDefaults {
            os_user: Some("osuser".into()),
            home: None,
            socket_dir: None,
        }
    }

    fn parse_env(s: &str, vars: &[(&str, &str)]) -> Result<ConnInfo, ConnInfoError> {
        parse_env_home(s, vars, None)
    }

    fn parse_env_home(
        s: &str,
        vars: &[(&str, &str)],
        home: Option<&Path>,
    ) -> Result<ConnInfo, ConnInfoError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |k: &str| map.get(k).cloned();
        let mut d = defaults();
        d.home = home.map(Path::to_path_buf);
        ConnInfo::parse_with(s, &env, &d)
    }

    fn parse(s: &str) -> ConnInfo {
        parse_env(s, &[]).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn parse_err(s: &str) -> ConnInfoError {
        match parse_env(s, &[]) {
            Ok(info) => panic!("{s} parsed: {info:?}"),
            Err(e) => e,
        }
    }

    fn password(info: &ConnInfo) -> (Option<String>, Option<PasswordSource>) {
        let (p, s, _) = info.password_for(&info.hosts[0]);
        (p, s)
    }

    fn spec(host: &str, port: u16) -> HostSpec {
        HostSpec::named(host, port)
    }

    // --- URLs --------------------------------------------------------------------------------

    #[test]
    fn url_with_everything() {
        let info = parse(
            "postgres://ci:p%40ss%2Fw%3Ard@db.example.com:6543/app%20db?sslmode=require&\
             application_name=drift&connect_timeout=7&options=-c%20search_path%3Dx",
        );
        assert_eq!(info.hosts(), &[spec("db.example.com", 6543)]);
        assert_eq!(info.user(), "ci");
        assert_eq!(info.database(), "app db");
        assert_eq!(password(&info).0.as_deref(), Some("p@ss/w:rd"));
        assert_eq!(password(&info).1, Some(PasswordSource::ConnectionString));
        assert_eq!(info.sslmode(), SslMode::Require);
        assert_eq!(info.application_name(), Some("drift"));
        assert_eq!(info.connect_timeout(), Some(Some(Duration::from_secs(7))));
        assert_eq!(info.options.as_deref(), Some("-c search_path=x"));
    }

    #[test]
    fn url_scheme_variants_and_defaults() {
        let info = parse("postgresql://db/app");
        assert_eq!(info.hosts(), &[spec("db", 5432)]);
        assert_eq!(info.user(), "osuser");
        let info = parse("POSTGRES://u@db");
        assert_eq!(info.database(), "u", "dbname defaults to the user");
        let info = parse("postgresql://");
        assert_eq!(info.hosts(), &[spec("localhost", 5432)]);
        assert_eq!(info.database(), "osuser");
        assert!(matches!(
            parse_err("mysql://u@h/db"),
            ConnInfoError::MalformedUrl(m) if m.contains("mysql")
        ));
    }

    #[test]
    fn url_odd_characters() {
        let info = parse("postgres://u:p@ss@h/db%40x\n");
        assert_eq!(password(&info).0.as_deref(), Some("p@ss"));
        assert_eq!(info.hosts(), &[spec("h", 5432)]);
        assert_eq!(info.database(), "db@x");
        // Unencoded, the "@" may as well end a password cut short by a "/" before it.
        assert!(matches!(
            parse_err("postgres://u:p@h/db@x"),
            ConnInfoError::MalformedUrl(m) if m.contains("%40")
        ));
        let info = parse("postgres://u:a%2Fb@h/");
        assert_eq!(password(&info).0.as_deref(), Some("a/b"));
        assert_eq!(info.database(), "u");
    }

    #[test]
    fn url_multiple_hosts() {
        let info = parse("postgres://u@h1:5433,h2,h3:6000/db");
        assert_eq!(
            info.hosts(),
            &[spec("h1", 5433), spec("h2", 5432), spec("h3", 6000)]
        );
        assert_eq!(info.host_display(), "h1:5433, h2:5432, h3:6000");
        assert_eq!(
            info.describe(),
            "hosts h1:5433, h2:5432, h3:6000, database db, user u"
        );
    }

    #[test]
    fn url_ipv6() {
        let info = parse("postgres://u@[::1]:5433,[2001:db8::7]/db");
        assert_eq!(
            info.hosts(),
            &[spec("::1", 5433), spec("2001:db8::7", 5432)]
        );
        assert_eq!(info.host_display(), "[::1]:5433, [2001:db8::7]:5432");
        assert!(matches!(
            parse_err("postgres://u@::1:5432/db"),
            ConnInfoError::MalformedUrl(m) if m.contains("brackets")
        ));
        assert!(matches!(
            parse_err("postgres://[::1/db"),
            ConnInfoError::MalformedUrl(_)
        ));
    }

    #[test]
    fn url_unix_socket_hosts() {
        let info = parse("postgresql://%2Fvar%2Frun%2Fpostgresql:5433/db");
        assert!(info.hosts()[0].is_unix_socket());
        assert_eq!(info.host_display(), "/var/run/postgresql/.s.PGSQL.5433");
        let info = parse("postgresql:///db?host=/tmp/sock&port=6000");
        assert_eq!(info.hosts(), &[spec("/tmp/sock", 6000)]);
        assert!(info.hosts()[0].is_unix_socket());
    }

    #[test]
    fn url_query_parameters() {
        let info =
            parse("postgres://h/db?ssl=true&target_session_attrs=read-write&sslrootcert=/ca.pem");
        assert_eq!(info.sslmode(), SslMode::Require);
        assert_eq!(info.target_session_attrs(), TargetSessionAttrs::ReadWrite);
        assert_eq!(info.sslrootcert(), Some(&RootCert::File("/ca.pem".into())));
        match parse_err("postgres://h/db?sslmdoe=require") {
            ConnInfoError::UnknownKey {
                key, suggestion, ..
            } => {
                assert_eq!(key, "sslmdoe");
                assert!(suggestion.contains("sslmode"), "{suggestion}");
            }
            e => panic!("{e}"),
        }
        assert!(matches!(
            parse_err("postgres://h/db?sslmode"),
            ConnInfoError::MalformedUrl(_)
        ));
    }

    #[test]
    fn url_errors_never_show_the_password() {
        for url in [
            format!("postgres://u:{SECRET}%zz@h/db"),
            format!("postgres://u:{SECRET}%@h/db"),
            format!("postgres://u:{SECRET}@h:notaport/db"),
            format!("postgres://u:{SECRET}@h/db?bogus=1"),
            format!("postgres://u:{SECRET}@h/db?sslmode=sometimes"),
        ] {
            let e = parse_err(&url);
            assert!(!e.to_string().contains(SECRET), "{e}");
            assert!(!format!("{e:?}").contains(SECRET), "{e:?}");
        }
        assert!(matches!(
            parse_err("postgres://u:a%zzb@h/db"),
            ConnInfoError::MalformedUrl(m) if m.contains("password")
        ));
    }

    /// Generated passwords hold URL delimiters. Each one either parses as that exact password,
    /// or the error shows no piece of it (the piece before a "/" would otherwise be a port or
    /// host, the rest a database name), and says how to write it.
    #[test]
    fn url_passwords_with_delimiters_parse_exactly_or_leak_nothing() {
        const HEAD: &str = "Hq7pw";
        const TAIL: &str = "Tz4pw";
        for delimiter in [
            "/", "?", "#", "@", ":", "[", "]", ",", "&", "=", "+", ";", " ", "%", "%2", "/?#",
            "//", "?a=b", "/x@", "@/", "\\",
        ] {
            for (user, head) in [("ci", HEAD), ("ci", "8080"), ("ci", "80817"), ("", HEAD)] {
                let secret = format!("{head}{delimiter}{TAIL}");
                let url = format!("postgresql://{user}:{secret}@db.example.com:5433/app");
                match ConnInfo::parse_with(&url, &|_| None, &defaults()) {
                    Ok(info) => {
                        let (parsed, _) = password(&info);
                        assert_eq!(parsed.as_deref(), Some(secret.as_str()), "{url}");
                        assert_eq!(info.database(), "app", "{url}");
                        assert_eq!(
                            info.hosts()[0].host.as_deref(),
                            Some("db.example.com"),
                            "{url}"
                        );
                        assert_eq!(info.hosts()[0].port, 5433, "{url}");
                    }
                    Err(e) => {
                        let shown = format!("{e} {e:?}");
                        for piece in [head, TAIL, "db.example.com", "app"] {
                            assert!(!shown.contains(piece), "{url}: {shown}");
                        }
                        assert!(
                            shown.contains("percent-encode") || shown.contains("%25"),
                            "{url}: {shown}"
                        );
                    }
                }
            }
        }
        // The issue's two cases, by name.
        for url in [
            "postgresql://ci:Abc/def@host/db",
            "postgresql://user:8080/Abc@host/db",
            "postgresql://ci:Abc?def@host/db",
            "postgresql://ci:12?k=v@host/db",
            // "@" then "?" in the password: the query starts inside it (found by proptest).
            "postgresql://ci:Abc@def?k12=@host/db",
            "postgresql://ci:Abc@def?port=12@host/db",
        ] {
            let e = parse_err(url);
            assert!(
                matches!(&e, ConnInfoError::MalformedUrl(m) if m.contains("%2F")),
                "{e}"
            );
            for piece in [
                "Abc", "def", "8080", "user", "ci", "12", "k=v", "host", "db",
            ] {
                assert!(!e.to_string().contains(&format!("\"{piece}")), "{url}: {e}");
            }
        }
        // An "@" in a query value of a URL without user information stays allowed (Azure's
        // user@server names).
        let info = parse("postgresql://db.example.com/app?user=me@server");
        assert_eq!(info.user(), "me@server");
        // With a password in the URL, the same "@" is written %40.
        let info = parse("postgresql://:pw@db.example.com/app?user=me%40server");
        assert_eq!(info.user(), "me@server");
    }

    // --- key=value -----------------------------------------------------------------------------

    #[test]
    fn key_value_basics() {
        let info = parse("host=db.example.com port=5433 dbname=app user=ci sslmode=verify-full");
        assert_eq!(info.hosts(), &[spec("db.example.com", 5433)]);
        assert_eq!((info.database(), info.user()), ("app", "ci"));
        assert_eq!(info.sslmode(), SslMode::VerifyFull);
        // Spaces around '=' and surrounding whitespace are allowed.
        let info = parse("  host = h\tport= 7000\n dbname =d ");
        assert_eq!(info.hosts(), &[spec("h", 7000)]);
        assert_eq!(info.database(), "d");
        // An empty string is all defaults.
        let info = parse("");
        assert_eq!(info.hosts(), &[spec("localhost", 5432)]);
    }

    #[test]
    fn key_value_quotes_and_escapes() {
        let info = parse(r"dbname='my app' password='it\'s a \\ secret' user=a\ b");
        assert_eq!(info.database(), "my app");
        assert_eq!(info.user(), "a b");
        assert_eq!(password(&info).0.as_deref(), Some(r"it's a \ secret"));
        let info = parse("dbname='' user=u");
        assert_eq!(info.database(), "u", "an empty value means the default");
        assert!(matches!(
            parse_err("dbname='unterminated user=u"),
            ConnInfoError::Syntax(m) if m.contains("closing quote")
        ));
    }

    #[test]
    fn key_value_errors() {
        assert!(matches!(
            parse_err("host=h bogus=1"),
            ConnInfoError::UnknownKey { key, .. } if key == "bogus"
        ));
        let e = parse_err("hots=h");
        assert!(e.to_string().contains("did you mean \"host\""), "{e}");
        assert!(matches!(parse_err("host"), ConnInfoError::Syntax(_)));
        assert!(matches!(parse_err("=x"), ConnInfoError::Syntax(_)));
        assert!(matches!(
            parse_err("sslpassword=x"),
            ConnInfoError::Unsupported { setting, .. } if setting == "sslpassword"
        ));
        let e = parse_err("service=prod");
        assert!(e.to_string().contains("pg_service.conf"), "{e}");
        let e = parse_env("host=h", &[("PGSERVICE", "prod")]).unwrap_err();
        assert!(e.to_string().contains("PGSERVICE"), "{e}");
        assert!(matches!(
            parse_err("gssencmode=require"),
            ConnInfoError::Unsupported { .. }
        ));
        parse("gssencmode=disable client_encoding=UTF8 sslcompression=0 keepalives=1");
    }

    #[test]
    fn key_value_errors_never_show_password_pieces() {
        // A password with a space, unquoted: the words after it are pieces of the password.
        for s in [
            format!("host=h password={SECRET} {SECRET}2"),
            format!("host=h password={SECRET} {SECRET}2=x"),
            format!("password='{SECRET} host=h"),
        ] {
            let e = parse_err(&s);
            assert!(!e.to_string().contains(SECRET), "{e}");
        }
    }

    #[test]
    fn ports_and_hosts_are_validated() {
        for bad in ["port=abc", "port=0", "port=70000", "port=-1"] {
            assert!(
                matches!(parse_err(bad), ConnInfoError::InvalidValue { key, .. } if key == "port"),
                "{bad}"
            );
        }
        let e = parse_env("host=h", &[("PGPORT", "x1")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid port \"x1\" (from PGPORT): expected a port number from 1 to 65535"
        );
        assert!(matches!(
            parse_err("host=a,b port=1,2,3"),
            ConnInfoError::Hosts(_)
        ));
        assert!(matches!(
            parse_err("host=a,b hostaddr=10.0.0.1"),
            ConnInfoError::Hosts(_)
        ));
        assert!(matches!(
            parse_err("hostaddr=db.example.com"),
            ConnInfoError::InvalidValue { key, .. } if key == "hostaddr"
        ));
        // One port for all hosts.
        let info = parse("host=a,b port=6000");
        assert_eq!(info.hosts(), &[spec("a", 6000), spec("b", 6000)]);
        // hostaddr alone, and with a name.
        let info = parse("hostaddr=10.1.2.3 port=5");
        assert_eq!(info.host_display(), "10.1.2.3:5");
        let info = parse("host=db.example.com hostaddr=10.1.2.3");
        assert_eq!(info.host_display(), "db.example.com:5432 (10.1.2.3)");
        assert!(!info.hosts()[0].is_unix_socket());
    }

    #[test]
    fn sslmode_and_timeouts_are_validated() {
        let e = parse_err("sslmode=sometimes");
        assert!(e.to_string().contains("verify-full"), "{e}");
        assert_eq!(
            parse("connect_timeout=1").connect_timeout(),
            Some(Some(Duration::from_secs(2)))
        );
        assert_eq!(parse("connect_timeout=0").connect_timeout(), Some(None));
        assert_eq!(parse("").connect_timeout(), None);
        assert!(matches!(
            parse_err("connect_timeout=soon"),
            ConnInfoError::InvalidValue { .. }
        ));
        assert!(matches!(
            parse_err("target_session_attrs=fast"),
            ConnInfoError::InvalidValue { .. }
        ));
    }

    #[test]
    fn keepalives_default_to_about_a_minute_and_follow_the_string() {
        assert_eq!(parse("").tcp_liveness(), TcpLiveness::DEFAULT);
        assert_eq!(
            TcpLiveness::DEFAULT,
            TcpLiveness {
                keepalives: true,
                idle: Duration::from_secs(30),
                interval: Duration::from_secs(10),
                count: 3,
                user_timeout: Duration::from_secs(60),
            }
        );
        let set = parse(
            "keepalives=1 keepalives_idle=5 keepalives_interval=2 keepalives_count=7 \
             tcp_user_timeout=1500",
        );
        assert_eq!(
            set.tcp_liveness(),
            TcpLiveness {
                keepalives: true,
                idle: Duration::from_secs(5),
                interval: Duration::from_secs(2),
                count: 7,
                user_timeout: Duration::from_millis(1500),
            }
        );
        // Only what the string sets changes; the URL form says the same.
        let some = parse("postgresql://h/db?keepalives_idle=120");
        assert_eq!(
            some.tcp_liveness(),
            TcpLiveness {
                idle: Duration::from_secs(120),
                ..TcpLiveness::DEFAULT
            }
        );
        let off = parse("keepalives=0 tcp_user_timeout=0").tcp_liveness();
        assert!(!off.keepalives);
        assert_eq!(
            off.user_timeout,
            Duration::ZERO,
            "0 leaves it to the system"
        );
        assert!(matches!(
            parse_err("keepalives_count=many"),
            ConnInfoError::InvalidValue { .. }
        ));
    }

    // --- environment ---------------------------------------------------------------------------

    #[test]
    fn environment_fills_gaps() {
        let vars = [
            ("PGHOST", "envhost"),
            ("PGPORT", "6000"),
            ("PGDATABASE", "envdb"),
            ("PGUSER", "envuser"),
            ("PGSSLMODE", "verify-ca"),
            ("PGAPPNAME", "envapp"),
            ("PGCONNECT_TIMEOUT", "9"),
            ("PGSSLROOTCERT", "/env/ca.pem"),
        ];
        let info = parse_env("", &vars).unwrap();
        assert_eq!(info.hosts(), &[spec("envhost", 6000)]);
        assert_eq!((info.database(), info.user()), ("envdb", "envuser"));
        assert_eq!(info.sslmode(), SslMode::VerifyCa);
        assert_eq!(info.application_name(), Some("envapp"));
        assert_eq!(info.connect_timeout(), Some(Some(Duration::from_secs(9))));
        assert_eq!(
            info.sslrootcert(),
            Some(&RootCert::File("/env/ca.pem".into()))
        );

        // The string wins over the environment, key by key.
        let info = parse_env("postgres://u@stringhost/sdb?sslmode=disable", &vars).unwrap();
        assert_eq!(info.hosts(), &[spec("stringhost", 6000)]);
        assert_eq!((info.database(), info.user()), ("sdb", "u"));
        assert_eq!(info.sslmode(), SslMode::Disable);

        // Empty variables count as unset.
        let info = parse_env("", &[("PGHOST", ""), ("PGUSER", "")]).unwrap();
        assert_eq!(info.hosts(), &[spec("localhost", 5432)]);
        assert_eq!(info.user(), "osuser");
    }

    #[test]
    fn system_defaults() {
        let env = |_: &str| None;
        let d = SystemDefaults {
            os_user: Some("me".into()),
            home: None,
            socket_dir: Some("/run/pg".into()),
        };
        let info = ConnInfo::parse_with("", &env, &d).unwrap();
        assert_eq!(info.hosts(), &[spec("/run/pg", 5432)]);
        assert!(info.hosts()[0].is_unix_socket());
        assert_eq!((info.database(), info.user()), ("me", "me"));
        let d = SystemDefaults::default();
        assert_eq!(
            ConnInfo::parse_with("host=h", &env, &d).unwrap_err(),
            ConnInfoError::NoUser
        );
        // The real detection finds some user on any sane machine.
        assert!(SystemDefaults::detect(&env).os_user.is_some());
    }

    // --- passwords -----------------------------------------------------------------------------

    fn write_pgpass(dir: &Path, text: &str, mode: u32) -> PathBuf {
        let path = dir.join(".pgpass");
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        path
    }

    #[test]
    fn password_precedence() {
        let home = tempfile::tempdir().unwrap();
        let pgpass = write_pgpass(home.path(), "h:5432:db:u:from-file\n", 0o600);
        let env_pw = [("PGPASSWORD", "from-env")];
        let run = |s: &str, env: &[(&str, &str)], caller: Option<&str>| {
            let info = parse_env_home(s, env, Some(home.path()))
                .unwrap()
                .with_password(caller.map(String::from));
            password(&info)
        };
        let url = "postgres://u:from-url@h/db";
        assert_eq!(
            run(url, &env_pw, Some("from-caller")),
            (
                Some("from-url".into()),
                Some(PasswordSource::ConnectionString)
            )
        );
        let plain = "postgres://u@h/db";
        assert_eq!(
            run(plain, &env_pw, Some("from-caller")),
            (Some("from-caller".into()), Some(PasswordSource::Caller))
        );
        assert_eq!(
            run(plain, &env_pw, None),
            (Some("from-env".into()), Some(PasswordSource::PgPassword))
        );
        assert_eq!(
            run(plain, &[], Some("")),
            (
                Some("from-file".into()),
                Some(PasswordSource::PassFile(pgpass.clone()))
            )
        );
        assert_eq!(run("postgres://u@h/other", &[], None), (None, None));
        // PGPASSFILE points elsewhere.
        let other = tempfile::tempdir().unwrap();
        let other_file = write_pgpass(other.path(), "*:*:*:*:elsewhere\n", 0o600);
        let env_file = [("PGPASSFILE", other_file.to_str().unwrap())];
        assert_eq!(run(plain, &env_file, None).0.as_deref(), Some("elsewhere"));
        // passfile in the string wins over PGPASSFILE.
        let s = format!("host=h dbname=db user=u passfile={}", pgpass.display());
        assert_eq!(run(&s, &env_file, None).0.as_deref(), Some("from-file"));
    }

    #[test]
    fn pgpass_matching() {
        let text = "# comment\n\
                    \n\
                    other:*:*:*:nope\n\
                    db.example.com:6543:app:ci:first\r\n\
                    db.example.com:*:app:ci:second\n\
                    *:*:*:odd\\:user:colon\\:pa\\\\ss\n\
                    local\\\\host:*:*:*:backslash\n\
                    *:5432:*:*:any:thing\n";
        let look = |h: &str, p: u16, d: &str, u: &str| passfile_lookup(text, h, p, d, u);
        assert_eq!(
            look("db.example.com", 6543, "app", "ci").as_deref(),
            Some("first")
        );
        assert_eq!(
            look("db.example.com", 7000, "app", "ci").as_deref(),
            Some("second")
        );
        assert_eq!(
            look("x", 1, "y", "odd:user").as_deref(),
            Some(r"colon:pa\ss")
        );
        assert_eq!(
            look(r"local\host", 1, "y", "z").as_deref(),
            Some("backslash")
        );
        assert_eq!(look("x", 5432, "y", "z").as_deref(), Some("any:thing"));
        assert_eq!(look("x", 5433, "y", "z"), None);
        // A literal escaped star is not a wildcard.
        assert_eq!(passfile_lookup("\\*:*:*:*:pw\n", "h", 1, "d", "u"), None);
        assert_eq!(
            passfile_lookup("\\*:*:*:*:pw\n", "*", 1, "d", "u").as_deref(),
            Some("pw")
        );
        // Lines with too few fields are skipped.
        assert_eq!(passfile_lookup("h:1:d\n", "h", 1, "d", "u"), None);
    }

    #[test]
    fn pgpass_ignored_when_group_or_world_can_read_it() {
        let home = tempfile::tempdir().unwrap();
        let path = write_pgpass(home.path(), "*:*:*:*:pw\n", 0o644);
        assert!(matches!(
            read_passfile(&path, "h", 5432, "d", "u"),
            PassFileLookup::Ignored(note) if note.contains("chmod 0600")
        ));
        let info = parse_env_home("host=h user=u", &[], Some(home.path())).unwrap();
        let (pw, _, note) = info.password_for(&info.hosts[0]);
        assert_eq!(pw, None);
        assert!(note.unwrap().contains("group or others"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(
            read_passfile(&path, "h", 5432, "d", "u"),
            PassFileLookup::Found("pw".into())
        );
        assert_eq!(
            read_passfile(&home.path().join("missing"), "h", 5432, "d", "u"),
            PassFileLookup::NotFound
        );
    }

    #[test]
    fn pgpass_host_for_sockets_and_addresses() {
        let env = |_: &str| None;
        let d = SystemDefaults {
            os_user: Some("me".into()),
            home: None,
            socket_dir: Some("/run/pg".into()),
        };
        let info = ConnInfo::parse_with("", &env, &d).unwrap();
        assert_eq!(info.passfile_host(&info.hosts[0]), "localhost");
        let info = ConnInfo::parse_with("host=/elsewhere", &env, &d).unwrap();
        assert_eq!(info.passfile_host(&info.hosts[0]), "/elsewhere");
        let info = ConnInfo::parse_with("hostaddr=10.0.0.1", &env, &d).unwrap();
        assert_eq!(info.passfile_host(&info.hosts[0]), "10.0.0.1");
        let info = ConnInfo::parse_with("host=db hostaddr=10.0.0.1", &env, &d).unwrap();
        assert_eq!(info.passfile_host(&info.hosts[0]), "db");
    }

    // --- TLS ---------------------------------------------------------------------------------------

    #[test]
    fn sslmode_mapping() {
        assert_eq!(SslMode::Disable.wire(), WireSslMode::Disable);
        assert_eq!(SslMode::Allow.wire(), WireSslMode::Prefer);
        assert_eq!(SslMode::Prefer.wire(), WireSslMode::Prefer);
        for m in [SslMode::Require, SslMode::VerifyCa, SslMode::VerifyFull] {
            assert_eq!(m.wire(), WireSslMode::Require);
        }
        for m in [
            "disable",
            "allow",
            "prefer",
            "require",
            "verify-ca",
            "verify-full",
        ] {
            assert_eq!(m.parse::<SslMode>().unwrap().as_str(), m);
        }
        assert_eq!(parse("").sslmode(), SslMode::Prefer, "libpq's default");
        assert!(parse("sslmode=disable").tls_connector().unwrap().is_none());
        assert!(parse("sslmode=require").tls_connector().unwrap().is_some());
        assert!(
            parse("sslmode=verify-full")
                .tls_connector()
                .unwrap()
                .is_some()
        );
    }

    #[test]
    fn sslrootcert_system_and_missing_files() {
        let info = parse("sslrootcert=system");
        assert_eq!(info.sslmode(), SslMode::VerifyFull);
        assert_eq!(info.sslrootcert(), Some(&RootCert::System));
        assert!(info.tls_connector().unwrap().is_some());
        assert!(matches!(
            parse_err("sslrootcert=system sslmode=require"),
            ConnInfoError::Tls(m) if m.contains("verify-full")
        ));
        let info = parse("sslmode=verify-ca sslrootcert=/nonexistent/ca.pem");
        match info.tls_connector().unwrap_err() {
            ConnInfoError::CertFile { path, what, .. } => {
                assert_eq!(path, Path::new("/nonexistent/ca.pem"));
                assert!(what.contains("sslrootcert"));
            }
            e => panic!("{e}"),
        }
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.pem");
        std::fs::write(&junk, "not a certificate").unwrap();
        let info = parse(&format!("sslmode=verify-ca sslrootcert={}", junk.display()));
        let e = info.tls_connector().unwrap_err();
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
        // An explicit client certificate must exist; the default one may be absent.
        let info = parse("sslmode=require sslcert=/nonexistent/client.crt");
        assert!(matches!(
            info.tls_connector(),
            Err(ConnInfoError::CertFile { .. })
        ));
        let info = parse_env_home("sslmode=require", &[], Some(dir.path())).unwrap();
        assert!(info.tls_connector().unwrap().is_some());
        // Overrides from the policy.
        let info = parse("sslmode=require")
            .with_sslmode("verify-ca")
            .unwrap()
            .with_root_cert("/nonexistent/policy-ca.pem");
        assert_eq!(info.sslmode(), SslMode::VerifyCa);
        assert!(info.tls_connector().is_err());
        assert!(parse("").with_sslmode("sometimes").is_err());
    }

    // --- secrets never shown ------------------------------------------------------------------

    #[test]
    fn debug_and_describe_never_show_passwords() {
        let home = tempfile::tempdir().unwrap();
        let info = parse_env_home(
            &format!("postgres://ci:{SECRET}@db.example.com:5433/app"),
            &[("PGPASSWORD", &format!("{SECRET}-env"))],
            Some(home.path()),
        )
        .unwrap()
        .with_password(Some(format!("{SECRET}-caller")));
        assert_eq!(
            info.describe(),
            "host db.example.com:5433, database app, user ci"
        );
        let debug = format!("{info:?} {:#?}", info.clone());
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert!(!info.host_display().contains(SECRET));
    }

    #[test]
    fn failure_messages_say_what_to_do() {
        let err = |failure: Failure| {
            ConnectError {
                database: "app".into(),
                user: "ci".into(),
                failures: vec![HostFailure {
                    host: "db.example.com:5432".into(),
                    failure,
                }],
            }
            .to_string()
        };
        let m = err(Failure::Refused);
        assert!(
            m.starts_with(
                "could not connect to database \"app\" as user \"ci\" on db.example.com:5432: \
             connection refused"
            ),
            "{m}"
        );
        assert!(m.contains("Is the server running"), "{m}");
        let m = err(Failure::Authentication {
            user: "ci".into(),
            source: Some(PasswordSource::PgPassword),
            note: None,
        });
        assert!(m.contains("password authentication failed") && m.contains("came from PGPASSWORD"));
        assert!(m.contains("password_env") && m.contains(".pgpass"), "{m}");
        let m = err(Failure::PasswordMissing {
            passfile: Some("/home/ci/.pgpass".into()),
            note: None,
        });
        assert!(
            m.contains("PGPASSWORD") && m.contains("/home/ci/.pgpass"),
            "{m}"
        );
        let m = err(Failure::DatabaseMissing {
            database: "app".into(),
        });
        assert!(m.contains("database \"app\" does not exist"), "{m}");
        let m = err(Failure::TlsUnsupported {
            sslmode: SslMode::Require,
        });
        assert!(
            m.contains("does not offer TLS") && m.contains("Enable ssl"),
            "{m}"
        );
        let m = err(Failure::Tls {
            detail: "certificate verify failed: Hostname mismatch".into(),
            sslmode: SslMode::VerifyFull,
        });
        assert!(
            m.contains("reissued") && m.contains("sslmode=verify-full"),
            "{m}"
        );
        for (detail, words) in [
            (
                "certificate verify failed (certificate has expired)",
                "renew",
            ),
            (
                "certificate verify failed (certificate is not yet valid)",
                "clock",
            ),
            (
                "certificate verify failed (certificate revoked)",
                "new certificate",
            ),
        ] {
            for sslmode in [SslMode::Require, SslMode::VerifyCa, SslMode::VerifyFull] {
                let m = err(Failure::Tls {
                    detail: detail.into(),
                    sslmode,
                });
                assert!(m.contains(words), "{m}");
                assert!(
                    !m.contains("use sslmode") && !m.contains("without checking"),
                    "{m}"
                );
            }
        }
        let m = err(Failure::Tls {
            detail: "certificate verify failed: self-signed certificate in certificate chain"
                .into(),
            sslmode: SslMode::VerifyCa,
        });
        assert!(m.contains("sslrootcert"), "{m}");
        let many = ConnectError {
            database: "app".into(),
            user: "ci".into(),
            failures: vec![
                HostFailure {
                    host: "a:1".into(),
                    failure: Failure::Refused,
                },
                HostFailure {
                    host: "b:2".into(),
                    failure: Failure::Timeout(Duration::from_secs(3)),
                },
            ],
        };
        let m = many.to_string();
        assert!(
            m.contains("\n  - a:1: connection refused")
                && m.contains("\n  - b:2: no answer within 3s"),
            "{m}"
        );
        assert_eq!(many.failure(), &Failure::Timeout(Duration::from_secs(3)));
    }

    #[test]
    fn scrub_hides_a_password_echoed_by_a_message() {
        let f = scrub(Failure::Other(format!("weird: {SECRET}")), Some(SECRET));
        assert_eq!(f, Failure::Other("weird: ********".into()));
    }

    #[test]
    fn tls_details_lose_openssl_noise() {
        assert_eq!(
            tidy_tls_detail(
                "error performing TLS handshake: error:0A000086:SSL routines:\
                 tls_post_process_server_certificate:certificate verify failed:\
                 ../ssl/statem/statem_clnt.c:1889: (IP address mismatch)"
            ),
            "certificate verify failed (IP address mismatch)"
        );
        assert_eq!(tidy_tls_detail("unexpected EOF"), "unexpected EOF");
    }

    #[test]
    fn edit_distance_is_levenshtein() {
        assert_eq!(edit_distance("sslmode", "sslmode"), 0);
        assert_eq!(edit_distance("sslmdoe", "sslmode"), 2);
        assert_eq!(edit_distance("hots", "host"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[tokio::test]
    async fn connect_reports_unusable_tls_files_before_dialling() {
        let info =
            parse("host=127.0.0.1 port=1 user=u sslmode=verify-ca sslrootcert=/nonexistent/ca.pem");
        let e = connect(&info, "pgdrift", Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(matches!(
            e.failure(),
            Failure::Config(ConnInfoError::CertFile { .. })
        ));
        assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
    }

    #[tokio::test]
    async fn connect_reports_dns_failures() {
        let info = parse("host=nonexistent.invalid user=u sslmode=disable");
        let e = connect(&info, "pgdrift", Duration::from_secs(5))
            .await
            .unwrap_err();
        match e.failure() {
            Failure::Dns { host, .. } => assert_eq!(host, "nonexistent.invalid"),
            // A resolver that cannot be reached at all times out instead.
            Failure::Timeout(_) => {}
            f => panic!("{f:?}"),
        }
        assert!(e.to_string().contains("nonexistent.invalid"), "{e}");
    }

    /// A server on a tunnel's local socket that lets the client in and then never answers: it
    /// sends AuthenticationOk and ReadyForQuery, then reads until the client closes the socket,
    /// which it reports on the channel.
    fn silent_after_login(socket: &Path) -> std::sync::mpsc::Receiver<()> {
        use std::io::{Read, Write};
        let listener = std::os::unix::net::UnixListener::bind(socket).expect("bind");
        let (closed_tx, closed) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut len = [0u8; 4];
            if stream.read_exact(&mut len).is_ok() {
                let mut body = vec![0u8; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
                if stream.read_exact(&mut body).is_ok() {
                    let _ = stream.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 0]);
                    let _ = stream.write_all(&[b'Z', 0, 0, 0, 5, b'I']);
                    let mut sink = [0u8; 4096];
                    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
                }
            }
            let _ = closed_tx.send(());
        });
        closed
    }

    /// A session through a tunnel's socket is a `Session` like any other: dropping it while a
    /// request waits on a server that no longer answers ends its connection task within the
    /// grace period and closes the socket.
    #[tokio::test]
    async fn a_dropped_session_through_a_tunnel_ends_its_connection_task() {
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = dir.path().join("0");
        let closed = silent_after_login(&socket);
        let info = parse("postgresql://nobody@db.internal:5432/app?sslmode=disable")
            .through(std::slice::from_ref(&socket));
        let metrics = tokio::runtime::Handle::current().metrics();
        let session = connect(&info, "pgdrift-test", Duration::from_secs(10))
            .await
            .expect("connect through the socket");
        assert_eq!(metrics.num_alive_tasks(), 1, "the connection's task");
        let gave_up =
            tokio::time::timeout(Duration::from_millis(200), session.simple_query("SELECT 1"))
                .await
                .is_err();
        assert!(gave_up, "the silent server answered");
        drop(session);
        let dropped = std::time::Instant::now();
        while metrics.num_alive_tasks() > 0 {
            assert!(
                dropped.elapsed() < CLOSE_GRACE + Duration::from_secs(5),
                "the connection task still waits for the silent server"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        closed
            .recv_timeout(Duration::from_secs(5))
            .expect("the socket was closed");
    }
}
