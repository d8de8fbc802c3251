//! Test scaffolding (as in atlas-admin-ureq's tests): a loopback HTTP/1.1 server on a plain
//! thread that answers each connection with the next canned raw reply, records what it
//! received, and closes. Bounded in time: it gives up 10 s after starting, and `finish` stops
//! it at once.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const GROUP_ID: &str = "32b6e34b3d91647abb20e7b8";
pub const ORG_ID: &str = "5f1d7c9a0b2e4d6f8a1c3e5b";
pub const INVITATION_ID: &str = "6a79c2d4e8f01b3a5c7d9e1f";
pub const CHALLENGE: &str = r#"Digest realm="MMS Public API", domain="", nonce="669gyxpgL6MGDuSZvQ80Spv3k+Jc99ed", algorithm=MD5, qop="auth", stale=false"#;
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
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Wraps an accepted socket (plain or TLS).
pub trait Wrap: Send + 'static {
    fn serve(&self, stream: TcpStream, handle: &mut dyn FnMut(&mut dyn ReadWrite));
}

pub trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

pub struct Plain;
impl Wrap for Plain {
    fn serve(&self, mut stream: TcpStream, handle: &mut dyn FnMut(&mut dyn ReadWrite)) {
        handle(&mut stream);
    }
}

pub struct Server {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<Vec<Recorded>>>,
}

impl Server {
    pub fn start(replies: Vec<Reply>) -> Server {
        Server::start_with(replies, Plain)
    }

    pub fn start_with(replies: Vec<Reply>, wrap: impl Wrap) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stop2 = stop.clone();
        let handle = std::thread::spawn(move || serve(listener, replies, &stop2, &wrap));
        Server { addr, stop, handle: Some(handle) }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
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

/// The Atlas Digest challenge.
pub fn challenge() -> Reply {
    response(
        "401 Unauthorized",
        &[("Content-Type", "application/json"), ("WWW-Authenticate", CHALLENGE)],
        UNAUTHORIZED_BODY.as_bytes(),
    )
}

pub fn invitation_json(username: &str) -> String {
    format!(
        r#"{{"createdAt":"2026-08-10T03:04:53Z","expiresAt":"2026-09-09T03:04:53Z","groupId":"{GROUP_ID}","groupName":"invitations-e2e-233","id":"{INVITATION_ID}","inviterUsername":"nmtxqlkl","roles":["GROUP_READ_ONLY"],"username":"{username}"}}"#
    )
}

/// A retry policy that retries quickly, so fault tests take milliseconds.
pub fn fast_retry() -> atlas_admin_hyper::RetryPolicy {
    atlas_admin_hyper::RetryPolicy::default().with_base_delay(Duration::from_millis(1))
}

/// A builder pointed at `server`, with API-key credentials, a fixed seed and no proxy.
pub fn builder(base_url: &str) -> atlas_admin_hyper::ClientBuilder {
    atlas_admin_hyper::Client::builder()
        .base_url(base_url)
        .api_key("pubkey", "8e4f2a6c-secret-private-key")
        .retry(fast_retry())
        .no_proxy()
        .seed(7)
}
