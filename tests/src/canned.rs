//! A canned-response loopback server for transport tests: each accepted connection gets the
//! next raw reply from a fixed list, byte for byte, and the request it carried is recorded.
//!
//! Why, next to the [fake Atlas](crate::fake): the fake is a real HTTP server that answers by
//! the rules of Atlas, so it cannot say *exactly* what a test needs on the wire, nor report
//! exactly what arrived. Transport tests need both: a precise order of replies (a Digest
//! challenge, then answers), malformed ones a real server would never send (a body cut short,
//! a close before any byte, a chunked body over the cap, a reply that never comes), and the
//! requests as received (method, target, every header, body) to check what a transport adds
//! or leaves out. [`Tls`] serves the same replies over HTTPS with the test CA of
//! [`fixtures::tls`](crate::fixtures::tls).
//!
//! The server runs on a plain thread, so it serves blocking and async clients alike. It is
//! bounded in time: it gives up 10 s after starting, and [`Server::finish`] (or dropping it)
//! stops it at once.
//!
//! ```no_run
//! use atlas_admin_testing::canned::{Server, challenge, invitation_json, ok_json};
//! let server = Server::start(vec![challenge(), ok_json(&invitation_json("ada@example.com"))]);
//! // … point a client at server.base_url() and make one Digest call …
//! let requests = server.finish();
//! assert_eq!(requests[0].header("authorization"), None);
//! ```

use crate::fixtures::tls::{SERVER_CERT_PEM, SERVER_KEY_PEM};
use atlas_admin_core::RetryPolicy;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The project the canned answers speak of.
pub const GROUP_ID: &str = "32b6e34b3d91647abb20e7b8";
/// The organization the canned answers speak of.
pub const ORG_ID: &str = "5f1d7c9a0b2e4d6f8a1c3e5b";
/// The invitation the canned answers speak of.
pub const INVITATION_ID: &str = "6a79c2d4e8f01b3a5c7d9e1f";
/// The public API key of test clients (the Digest username).
pub const PUBLIC_KEY: &str = "pubkey";
/// The private API key of test clients: it must never show in output.
pub const PRIVATE_KEY: &str = "8e4f2a6c-secret-private-key";
/// The `WWW-Authenticate` value of [`challenge`], as Atlas sends it.
pub const CHALLENGE: &str = r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#;
/// The body of Atlas's Digest challenge.
pub const UNAUTHORIZED_BODY: &str = "{\n  \"detail\" : \"You are not authorized for this resource.\",\n  \"error\" : 401,\n  \"errorCode\" : \"UNEXPECTED_ERROR\",\n  \"reason\" : \"Unauthorized\"\n}";

const LIFETIME: Duration = Duration::from_secs(10);

/// What the server does with one connection.
pub enum Reply {
    /// Reads the request, writes these bytes, closes.
    Raw(Vec<u8>),
    /// Reads the request and never answers (until the test finishes or the lifetime ends).
    Hang,
}

/// A request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request method.
    pub method: String,
    /// The request target (path and query).
    pub target: String,
    /// Every header, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes).
    pub body: Vec<u8>,
}

impl Recorded {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Wraps an accepted socket (plain or TLS) before the request is read.
pub trait Wrap: Send + 'static {
    /// Calls `handle` with the stream to read the request from and write the reply to.
    fn serve(&self, stream: TcpStream, handle: &mut dyn FnMut(&mut dyn ReadWrite));
}

/// A byte stream both ways.
pub trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// Plain HTTP.
pub struct Plain;

impl Wrap for Plain {
    fn serve(&self, mut stream: TcpStream, handle: &mut dyn FnMut(&mut dyn ReadWrite)) {
        handle(&mut stream);
    }
}

/// HTTPS with the test server certificate (`127.0.0.1` and `localhost`, signed by the test CA
/// [`fixtures::tls::CA_PEM`](crate::fixtures::tls::CA_PEM)). A failed handshake records nothing.
pub struct Tls(Arc<rustls::ServerConfig>);

impl Tls {
    /// A rustls (ring) server configuration with the test certificate.
    pub fn new() -> Tls {
        let certs = CertificateDer::pem_slice_iter(SERVER_CERT_PEM).collect::<Result<Vec<_>, _>>().unwrap();
        let key = PrivateKeyDer::from_pem_slice(SERVER_KEY_PEM).unwrap();
        // ring, like the clients under test; rustls 0.23.48 deprecates naming it (ring has no
        // post-quantum key exchange), which a loopback test server does not need.
        #[allow(deprecated)]
        let ring = rustls::crypto::ring::default_provider();
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(ring))
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        Tls(Arc::new(config))
    }
}

impl Default for Tls {
    fn default() -> Self {
        Tls::new()
    }
}

impl Wrap for Tls {
    fn serve(&self, stream: TcpStream, handle: &mut dyn FnMut(&mut dyn ReadWrite)) {
        let conn = rustls::ServerConnection::new(self.0.clone()).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, stream);
        // A failed handshake shows up as a failed read: nothing is recorded.
        handle(&mut tls);
        tls.conn.send_close_notify();
        let _ = tls.flush();
    }
}

/// The running server.
pub struct Server {
    /// Where it listens (on loopback).
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Vec<Recorded>>>,
}

impl Server {
    /// Plain HTTP: one connection per reply, in order.
    pub fn start(replies: Vec<Reply>) -> Server {
        Server::start_with(replies, Plain)
    }

    /// Like [`start`](Self::start), each connection wrapped by `wrap` (e.g. [`Tls`]).
    pub fn start_with(replies: Vec<Reply>, wrap: impl Wrap) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let handle = std::thread::spawn(move || serve(listener, replies, &stop2, &wrap));
        Server { addr, stop, handle: Some(handle) }
    }

    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `https://127.0.0.1:port`, for a server started with [`Tls`].
    pub fn https_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    /// Stops the server and returns the requests it received, in order.
    pub fn finish(mut self) -> Vec<Recorded> {
        self.stop.store(true, Ordering::SeqCst);
        self.handle.take().unwrap().join().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

fn serve(listener: TcpListener, replies: Vec<Reply>, stop: &AtomicBool, wrap: &dyn Wrap) -> Vec<Recorded> {
    let deadline = Instant::now() + LIFETIME;
    let mut recorded = Vec::new();
    for reply in replies {
        let stream = loop {
            if stop.load(Ordering::SeqCst) || Instant::now() > deadline {
                return recorded;
            }
            match listener.accept() {
                Ok((s, _)) => break s,
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => panic!("accept: {e}"),
            }
        };
        stream.set_nonblocking(false).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        wrap.serve(stream, &mut |io| {
            let Some(request) = read_request(io) else { return };
            recorded.push(request);
            match &reply {
                Reply::Raw(bytes) => {
                    let _ = io.write_all(bytes);
                    let _ = io.flush();
                }
                Reply::Hang => {
                    while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
            }
        });
    }
    recorded
}

fn read_request(io: &mut dyn ReadWrite) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut req = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(head_len)) = req.parse(&buf) {
            let headers: Vec<(String, String)> = req
                .headers
                .iter()
                .map(|h| (h.name.to_owned(), String::from_utf8_lossy(h.value).into_owned()))
                .collect();
            let length = headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.trim().parse::<usize>().unwrap());
            let method = req.method.unwrap().to_owned();
            let target = req.path.unwrap().to_owned();
            while buf.len() < head_len + length {
                let n = io.read(&mut chunk).ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[head_len..head_len + length].to_vec();
            return Some(Recorded { method, target, headers, body });
        }
        let n = io.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

/// A complete response: status line, headers, `Content-Length`, `Connection: close`, body.
pub fn response(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    Reply::Raw(bytes)
}

/// A 200 with an Atlas-versioned JSON body and the headers real invitation answers carry.
pub fn ok_json(body: &str) -> Reply {
    response(
        "200 OK",
        &[
            ("Content-Type", "application/vnd.atlas.2023-01-01+json;charset=utf-8"),
            ("Deprecation", "Wed, 4 Oct 2023 00:00:00 GMT"),
            ("Sunset", "Thu, 1 Jul 2027 00:00:00 GMT"),
            ("Ratelimit-Limit", "1200"),
            ("Ratelimit-Remaining", "1199"),
        ],
        body.as_bytes(),
    )
}

/// The Atlas Digest challenge ([`CHALLENGE`]).
/// A `listOrgUsers` page (2025-02-19) of users `from..to` with a `next` link to `next` (absolute, another host).
pub fn org_users_page(from: usize, to: usize, next: Option<u32>) -> Reply {
    let results: Vec<String> = (from..to)
        .map(|i| format!(r#"{{"id":"{i:024x}","orgMembershipStatus":"ACTIVE","roles":{{"orgRoles":["ORG_MEMBER"]}},"username":"u{i}@example.com"}}"#))
        .collect();
    let mut links = vec![r#"{"href":"http://localhost:8080/self","rel":"self"}"#.to_owned()];
    if let Some(n) = next {
        links.push(format!(
            r#"{{"href":"http://localhost:8080/api/atlas/v2/orgs/{ORG_ID}/users?includeCount=false&itemsPerPage=2&pageNum={n}","rel":"next"}}"#
        ));
    }
    let body = format!(r#"{{"links":[{}],"results":[{}]}}"#, links.join(","), results.join(","));
    response("200 OK", &[("Content-Type", "application/vnd.atlas.2025-02-19+json")], body.as_bytes())
}

pub fn challenge() -> Reply {
    response(
        "401 Unauthorized",
        &[("Content-Type", "application/json"), ("WWW-Authenticate", CHALLENGE)],
        UNAUTHORIZED_BODY.as_bytes(),
    )
}

/// A project invitation ([`INVITATION_ID`] in [`GROUP_ID`]) for `username`, as JSON.
pub fn invitation_json(username: &str) -> String {
    format!(
        r#"{{"createdAt":"2026-08-10T03:04:53Z","expiresAt":"2026-09-09T03:04:53Z","groupId":"{GROUP_ID}","groupName":"invitations-e2e-233","id":"{INVITATION_ID}","inviterUsername":"nmtxqlkl","roles":["GROUP_READ_ONLY"],"username":"{username}"}}"#
    )
}

/// A retry policy that retries quickly, so fault tests take milliseconds.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy::default().with_base_delay(Duration::from_millis(1))
}
