//! The client on the smol / async-io family (feature `smol`): hyper's HTTP/1.1 connections over
//! async-io sockets, rustls through futures-rustls, and a keep-alive pool.
//!
//! No executor is needed: a connection's hyper task is polled by the call using it, together
//! with the call's own future, and an idle connection waits in the pool unpolled until the next
//! call takes it (and first polls it, which notices a connection the server closed meanwhile).
//! So it runs under any executor, on async-io's reactor, and never needs a Tokio runtime.
//! With no timer task, an idle connection past the pool's idle timeout is closed when the pool
//! is next used for its host (or the client dropped), not at the moment it expires.

use crate::io::{chain, hyper_error, read_body};
use crate::proxy;
use crate::runtime::{self, ConnectTimedOut, Pool, Rt};
use atlas_admin_core::transport::{MAX_RESPONSE_HEAD_BYTES, MAX_RESPONSE_HEADERS};
use atlas_admin_core::{TransportError, TransportErrorKind};
use bytes::Bytes;
use futures_rustls::TlsConnector;
use futures_rustls::pki_types::ServerName;
use http::{HeaderValue, Request, Response, Uri, header};
use http_body_util::Full;
use hyper::client::conn::http1::{self, Connection, SendRequest};
use hyper_util::client::proxy::matcher::{Intercept, Matcher};
use smol_hyper::rt::FuturesIo;
use std::collections::HashMap;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A byte stream: TCP, or TLS over TCP (possibly through a proxy tunnel).
trait Stream: futures_io::AsyncRead + futures_io::AsyncWrite + Send + Unpin {}
impl<T: futures_io::AsyncRead + futures_io::AsyncWrite + Send + Unpin> Stream for T {}

type Io = FuturesIo<Box<dyn Stream>>;

/// hyper's task for one connection: it reads and writes the connection's bytes when polled.
type Task = Pin<Box<Connection<Io, Full<Bytes>>>>;

/// One open HTTP/1.1 connection: the handle to send on, and hyper's task that moves its bytes.
struct Conn {
    sender: SendRequest<Full<Bytes>>,
    /// `None` once the connection has ended (closed by either side, or failed).
    task: Option<Task>,
}

/// A connection waiting in the pool.
struct Idle {
    conn: Conn,
    since: Instant,
}

/// The pooled HTTP/1.1 client: plain `http` or `https` (rustls, through a `CONNECT` tunnel
/// where the proxy matcher says so), keep-alive connections shared by every call of one
/// [`Client`](crate::Client). It never follows redirects and adds no headers but `Host` (and
/// `Content-Length`), as the Tokio client.
#[derive(Clone)]
pub(crate) struct HttpClient {
    inner: Arc<Shared>,
}

struct Shared {
    tls: TlsConnector,
    proxy: Option<Arc<Matcher>>,
    connect_timeout: Duration,
    pool: Pool,
    /// Idle connections by `scheme://authority`, the most recently used last.
    idle: Mutex<HashMap<String, Vec<Idle>>>,
}

impl HttpClient {
    pub(crate) fn new(
        mut tls: rustls::ClientConfig,
        proxy: Option<Arc<Matcher>>,
        connect_timeout: Duration,
        pool: Pool,
    ) -> HttpClient {
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        let tls = TlsConnector::from(Arc::new(tls));
        HttpClient { inner: Arc::new(Shared { tls, proxy, connect_timeout, pool, idle: Mutex::default() }) }
    }

    /// One exchange, the response body read under the `max_body` cap: on a pooled connection
    /// if one is idle (another one if it turns out closed before the request could be written),
    /// else on a new one. The connection goes back to the pool only after a whole response.
    pub(crate) async fn request(
        &self,
        request: Request<Full<Bytes>>,
        max_body: u64,
    ) -> Result<Response<Vec<u8>>, TransportError> {
        let key = pool_key(request.uri());
        let mut request = origin_form(request)?;
        loop {
            let (mut conn, reused) = match self.checkout(&key) {
                Some(conn) => (conn, true),
                None => (self.connect(&key).await?, false),
            };
            if let Err(e) = conn.drive(|sender| sender.ready()).await {
                if reused {
                    continue; // closed while idle: nothing was sent
                }
                return Err(hyper_error(e, TransportErrorKind::Io));
            }
            let response = match conn.drive(|sender| sender.try_send_request(request)).await {
                Ok(response) => response,
                Err(mut e) => match e.take_message() {
                    // Never written: a reused connection that had closed. Try the next one.
                    Some(unsent) if reused => {
                        request = unsent;
                        continue;
                    }
                    _ => return Err(hyper_error(e.into_error(), TransportErrorKind::Io)),
                },
            };
            let response = conn.drive(|_| read_body(response, max_body)).await?;
            self.checkin(key, conn);
            return Ok(response);
        }
    }

    /// The most recently used idle connection to `key` that is still open, dropping expired ones.
    fn checkout(&self, key: &str) -> Option<Conn> {
        let mut idle = self.inner.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let conns = idle.get_mut(key)?;
        let limit = self.inner.pool.idle_timeout;
        conns.retain(|c| c.since.elapsed() < limit && c.conn.task.is_some() && !c.conn.sender.is_closed());
        let conn = conns.pop().map(|c| c.conn);
        if conns.is_empty() {
            idle.remove(key);
        }
        conn
    }

    /// Keeps `conn` for the next call, if it is still open and the pool has room.
    fn checkin(&self, key: String, conn: Conn) {
        let Pool { idle_timeout, max_idle_per_host } = self.inner.pool;
        if conn.task.is_none() || conn.sender.is_closed() || idle_timeout.is_zero() {
            return;
        }
        let mut idle = self.inner.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let conns = idle.entry(key).or_default();
        conns.retain(|c| c.since.elapsed() < idle_timeout);
        if conns.len() < max_idle_per_host {
            conns.push(Idle { conn, since: Instant::now() });
        }
    }

    /// A new connection to `key` (`scheme://authority`): DNS, TCP, the proxy tunnel and TLS
    /// under the connect timeout, then hyper's HTTP/1.1 handshake (which sends nothing).
    async fn connect(&self, key: &str) -> Result<Conn, TransportError> {
        let limit = self.inner.connect_timeout;
        let connected = runtime::timeout(Rt::AsyncIo, limit, self.open(key)).await;
        let stream = match connected {
            Some(Ok(stream)) => stream,
            Some(Err(e)) => {
                return Err(TransportError::new(TransportErrorKind::Connect, format!("could not connect: {e}")));
            }
            None => {
                let e = ConnectTimedOut(limit);
                return Err(TransportError::new(TransportErrorKind::Connect, format!("could not connect: {e}")));
            }
        };
        let (sender, task) = http1::Builder::new()
            // The same response-head limits as every transport (ureq's 128 headers, 64 KiB).
            .max_headers(MAX_RESPONSE_HEADERS)
            .max_buf_size(MAX_RESPONSE_HEAD_BYTES)
            .handshake(FuturesIo::new(stream))
            .await
            .map_err(|e| hyper_error(e, TransportErrorKind::Connect))?;
        Ok(Conn { sender, task: Some(Box::pin(task)) })
    }

    /// The byte stream to `key`: direct, or through the proxy's tunnel; TLS for `https`.
    async fn open(&self, key: &str) -> Result<Box<dyn Stream>, String> {
        let uri: Uri = key.parse().map_err(|e| format!("{e}"))?;
        let https = uri.scheme_str() == Some("https");
        let host = uri.host().ok_or("no host")?.trim_start_matches('[').trim_end_matches(']').to_owned();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let tcp = match proxy::route(self.inner.proxy.as_deref(), &uri) {
            None => tcp(&host, port).await?,
            Some(intercept) => tunnel(&intercept, &host, port).await?,
        };
        if !https {
            return Ok(Box::new(tcp));
        }
        let name = ServerName::try_from(host).map_err(|e| format!("invalid DNS name: {e}"))?;
        let tls = self.inner.tls.connect(name, tcp).await.map_err(|e| chain(&e))?;
        Ok(Box::new(tls))
    }
}

impl Conn {
    /// Runs `work` (built from this connection's sender) while polling the connection's task,
    /// which moves the bytes `work` waits for. The task finishing means the connection ended.
    async fn drive<'a, F: Future>(&'a mut self, work: impl FnOnce(&'a mut SendRequest<Full<Bytes>>) -> F) -> F::Output {
        let Conn { sender, task } = self;
        let mut work = pin!(work(sender));
        poll_fn(|cx| {
            if let Some(running) = task {
                if running.as_mut().poll(cx).is_ready() {
                    *task = None;
                }
            }
            work.as_mut().poll(cx)
        })
        .await
    }
}

/// `scheme://authority` of `uri`, without user info (the pool's key and what to connect to).
fn pool_key(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    let authority = uri.authority().map_or("", |a| a.as_str());
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("{scheme}://{authority}")
}

/// The request as HTTP/1.1 sends it to an origin server: `Host` from the URI (its port only if
/// not the scheme's default) and the path and query alone in the request line.
fn origin_form(request: Request<Full<Bytes>>) -> Result<Request<Full<Bytes>>, TransportError> {
    let (mut head, body) = request.into_parts();
    let refused = |what: &str| TransportError::new(TransportErrorKind::Refused, format!("the request URI {what}"));
    let host = head.uri.host().ok_or_else(|| refused("has no host"))?;
    let default_port = match head.uri.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    let value = match head.uri.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    };
    let value = HeaderValue::try_from(value).map_err(|_| refused("has an invalid host"))?;
    head.headers.entry(header::HOST).or_insert(value);
    let path = head.uri.path_and_query().map_or("/", |p| p.as_str());
    head.uri = path.parse().map_err(|_| refused("has an invalid path"))?;
    Ok(Request::from_parts(head, body))
}

/// TCP to `host:port` (DNS on async-net's blocking pool, each address in turn), no delay.
async fn tcp(host: &str, port: u16) -> Result<async_net::TcpStream, String> {
    let stream = async_net::TcpStream::connect((host, port)).await.map_err(|e| format!("tcp connect error: {e}"))?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// A `CONNECT` tunnel to `host:port` through the proxy of `intercept` (an `http://` one, with
/// its `Proxy-Authorization` if it has user info). The proxy's answer head is read under the
/// transport's head limit; anything but 2xx is a refusal (nothing was sent to Atlas).
async fn tunnel(intercept: &Intercept, host: &str, port: u16) -> Result<async_net::TcpStream, String> {
    use futures_lite::{AsyncReadExt as _, AsyncWriteExt as _};
    proxy::check_scheme(intercept)?;
    let proxy = intercept.uri();
    let proxy_host = proxy.host().ok_or("the proxy has no host")?.trim_start_matches('[').trim_end_matches(']');
    let mut stream = tcp(proxy_host, proxy.port_u16().unwrap_or(80)).await?;
    let target = if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
    let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n").into_bytes();
    if let Some(auth) = intercept.basic_auth() {
        head.extend_from_slice(b"Proxy-Authorization: ");
        head.extend_from_slice(auth.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    stream.write_all(&head).await.map_err(|e| format!("proxy tunnel: {e}"))?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).await.map_err(|e| format!("proxy tunnel: {e}"))?;
        if n == 0 {
            return Err("proxy tunnel: the proxy closed the connection".to_owned());
        }
        answer.extend_from_slice(chunk.get(..n).unwrap_or_default());
        let mut headers = [httparse::EMPTY_HEADER; MAX_RESPONSE_HEADERS];
        let mut parsed = httparse::Response::new(&mut headers);
        match parsed.parse(&answer) {
            Ok(httparse::Status::Complete(len)) => {
                return match parsed.code {
                    // The proxy must wait for our TLS ClientHello before it relays anything.
                    Some(200..=299) if len < answer.len() => Err("proxy tunnel: bytes after the proxy's answer".into()),
                    Some(200..=299) => Ok(stream),
                    // The same words as hyper-util's tunnel on Tokio.
                    Some(407) => Err("proxy tunnel: proxy authorization required".to_owned()),
                    Some(code) => Err(format!("proxy tunnel: the proxy refused the tunnel: {code}")),
                    None => Err("proxy tunnel: no status".to_owned()),
                };
            }
            Ok(httparse::Status::Partial) if answer.len() < MAX_RESPONSE_HEAD_BYTES => {}
            Ok(httparse::Status::Partial) => return Err("proxy tunnel: the proxy's answer is too large".to_owned()),
            Err(e) => return Err(format!("proxy tunnel: invalid answer from the proxy: {e}")),
        }
    }
}
