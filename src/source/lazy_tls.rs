//! TLS set up only when a server agrees to it.
//!
//! Building a TLS connector loads and parses the system's CA certificates: 50 to 200 ms per
//! target measured, more than connecting and reading a small schema together. libpq does not
//! load them for `sslmode=prefer` at all, and a server without TLS (a CI service container, a
//! local server) never needs them. So the connector is built the first time a server answers
//! "yes" to the TLS request, once per connection setup (later hosts and attempts reuse it).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use tokio_postgres::Socket;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};

/// A native-tls connector, built on first use from its checked settings.
#[derive(Clone)]
pub struct LazyTls(Arc<Inner>);

struct Inner {
    builder: native_tls::TlsConnectorBuilder,
    built: OnceLock<Result<native_tls::TlsConnector, String>>,
}

impl std::fmt::Debug for LazyTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let built = self.0.built.get().map(|r| r.is_ok());
        f.debug_struct("LazyTls").field("built", &built).finish()
    }
}

impl LazyTls {
    /// Settings whose files were already read and checked: what is left is building.
    pub fn new(builder: native_tls::TlsConnectorBuilder) -> LazyTls {
        LazyTls(Arc::new(Inner {
            builder,
            built: OnceLock::new(),
        }))
    }

    /// The handshake for a stream dialled by the caller (a tunnel's socket), checking the
    /// certificate against `domain`.
    pub fn for_host(&self, domain: &str) -> Connect {
        Connect {
            tls: self.clone(),
            domain: domain.to_string(),
        }
    }

    /// The connector, built now if it was not yet.
    pub fn connector(&self) -> Result<native_tls::TlsConnector, String> {
        self.0
            .built
            .get_or_init(|| (self.0.builder.build()).map_err(|e| format!("cannot set up TLS: {e}")))
            .clone()
    }
}

impl MakeTlsConnect<Socket> for LazyTls {
    type Stream = postgres_native_tls::TlsStream<Socket>;
    type TlsConnect = Connect;
    type Error = std::convert::Infallible;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, Self::Error> {
        Ok(Connect {
            tls: self.clone(),
            domain: domain.to_string(),
        })
    }
}

/// One connection's TLS handshake, run only if the server accepts TLS.
pub struct Connect {
    tls: LazyTls,
    domain: String,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

impl<S> TlsConnect<S> for Connect
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    type Stream = postgres_native_tls::TlsStream<S>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Stream, Error>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            let connector = self.tls.connector()?;
            let handshake = postgres_native_tls::TlsConnector::new(connector, &self.domain);
            Ok(handshake.connect(stream).await?)
        })
    }
}
