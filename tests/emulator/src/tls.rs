//! HTTPS for the emulator (`--tls`): a private CA and two server certificates made at start,
//! so clients can be tested against what customers meet (a private CA, a name mismatch, an
//! expired certificate) without any file in the repository or traffic off loopback.
//!
//! - the CA (PEM written to a file whose path is printed and in `/__admin/info`);
//! - a certificate for `localhost` only: `https://localhost:PORT` verifies once the CA is
//!   trusted, `https://127.0.0.1:PORT` is a name mismatch;
//! - an expired certificate for `localhost` (valid in January 2020), on a second port.
//!
//! Both listeners negotiate HTTP/2 or HTTP/1.1 by ALPN and serve the same routes and state as
//! the plain HTTP one.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// The generated material: the CA file and a server configuration per certificate.
pub struct Certificates {
    pub ca_file: PathBuf,
    pub valid: Arc<ServerConfig>,
    pub expired: Arc<ServerConfig>,
}

fn other(error: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(error.to_string())
}

/// Makes the CA and both certificates, and writes the CA's PEM to a file of its own.
pub fn generate() -> std::io::Result<Certificates> {
    let ca_key = KeyPair::generate().map_err(other)?;
    let mut ca_params = CertificateParams::default();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "ocus-mock private test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key).map_err(other)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let server = |expired: bool| -> std::io::Result<Arc<ServerConfig>> {
        let key = KeyPair::generate().map_err(other)?;
        let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(other)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        if expired {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2020, 1, 31);
        }
        let cert = params.signed_by(&key, &issuer).map_err(other)?;
        let chain = vec![cert.der().clone(), ca_cert.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let mut config = ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::aws_lc_rs::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(other)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    };
    let dir = std::env::temp_dir().join(format!("ocus-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca_cert.pem())?;
    Ok(Certificates {
        ca_file,
        valid: server(false)?,
        expired: server(true)?,
    })
}

/// A TLS listener for `axum::serve`: handshakes run in their own tasks (a slow or failing
/// client never holds up the others) and finished connections are handed over in order.
pub struct TlsListener {
    connections: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn new(listener: TcpListener, config: Arc<ServerConfig>) -> std::io::Result<Self> {
        let local = listener.local_addr()?;
        let acceptor = TlsAcceptor::from(config);
        let (sender, connections) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let (acceptor, sender) = (acceptor.clone(), sender.clone());
                tokio::spawn(async move {
                    // A client that refuses the certificate ends its handshake here.
                    let handshake =
                        tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream));
                    if let Ok(Ok(stream)) = handshake.await {
                        let _ = sender.send((stream, peer)).await;
                    }
                });
            }
        });
        Ok(TlsListener { connections, local })
    }
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.connections.recv().await {
            Some(connection) => connection,
            // The accepting task never stops while the process runs.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}
