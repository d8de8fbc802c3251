//! Proving that code opened no connection: [`Tripwire`], a loopback listener that is bound but
//! never served, and [`open_sockets`], the socket descriptors this process holds.
//!
//! Point everything the code under test could connect to at tripwires (the client's base URL,
//! the address a cassette was recorded against, and `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` of a
//! child process), run it, then check [`Tripwire::connections`] is 0. The kernel completes the
//! TCP handshake of a listening socket even when nobody accepts, and the connection waits in the
//! backlog (even after the client has closed it), so every attempt is counted.
//!
//! ```
//! use atlas_admin_testing::sockets::{Tripwire, open_sockets};
//! let tripwire = Tripwire::bind()?;
//! let before = open_sockets();
//! // ... replay a cassette with a client whose base URL is tripwire.url() ...
//! assert_eq!(tripwire.connections(), 0);
//! assert_eq!(open_sockets(), before); // on Linux; `None` elsewhere
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! A client that does connect gets no answer and waits for its own timeout: the count is
//! read after it has finished.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The most connections one [`Tripwire::connections`] call drains (the backlog is smaller).
const MAX_DRAINED: usize = 4096;

/// A loopback listener that counts connection attempts and answers none.
#[derive(Debug)]
pub struct Tripwire {
    listener: TcpListener,
    addr: SocketAddr,
    /// Connections drained by earlier calls.
    seen: AtomicUsize,
}

impl Tripwire {
    /// A tripwire on a free port of 127.0.0.1.
    pub fn bind() -> io::Result<Tripwire> {
        Tripwire::bind_at(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
    }

    /// A tripwire at `addr`: e.g. the address of a fake that has stopped, so a replay that
    /// still reached for the recorded server would be counted.
    pub fn bind_at(addr: SocketAddr) -> io::Result<Tripwire> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        Ok(Tripwire { listener, addr, seen: AtomicUsize::new(0) })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`: a base URL (or proxy URL) that leads here.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many connections reached this address so far. Each is accepted and closed at once
    /// (a bounded, non-blocking loop), so a call sees the attempts since the last one, added
    /// to the earlier ones.
    pub fn connections(&self) -> usize {
        let mut drained = 0;
        while drained < MAX_DRAINED {
            match self.listener.accept() {
                Ok((stream, _)) => {
                    drop(stream);
                    drained += 1;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // `WouldBlock`: the backlog is empty. Any other error counts as nothing more.
                Err(_) => break,
            }
        }
        self.seen.fetch_add(drained, Ordering::SeqCst) + drained
    }
}

/// How many socket descriptors this process holds (`/proc/self/fd` entries that are sockets),
/// on Linux; `None` elsewhere or if it cannot be read.
///
/// Compare it before and after the code under test, with nothing else running in the process
/// (a test binary of its own): equal counts show it left no socket open. A socket opened and
/// closed in between is not seen; [`Tripwire`] catches the connection attempt instead.
pub fn open_sockets() -> Option<usize> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let entries = std::fs::read_dir("/proc/self/fd").ok()?;
    let mut count = 0;
    for entry in entries.flatten() {
        // The directory's own descriptor disappears when read; it is never a socket.
        if std::fs::read_link(entry.path()).is_ok_and(|target| target.to_string_lossy().starts_with("socket:")) {
            count += 1;
        }
    }
    Some(count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    #[test]
    fn a_connection_is_counted_once_and_the_count_keeps_it() {
        let tripwire = Tripwire::bind().expect("bind");
        assert_eq!(tripwire.connections(), 0);
        let stream = TcpStream::connect(tripwire.addr()).expect("connect");
        drop(stream); // closed by the client before the count: still counted
        TcpStream::connect(tripwire.addr()).expect("connect again");
        assert_eq!(tripwire.connections(), 2);
        assert_eq!(tripwire.connections(), 2, "drained attempts stay counted");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn open_sockets_sees_a_listening_socket() {
        // Other tests of this binary open and close sockets meanwhile, so only this holds for
        // sure: while the tripwire lives, there is at least its socket.
        let tripwire = Tripwire::bind().expect("bind");
        assert!(open_sockets().expect("/proc/self/fd") >= 1);
        drop(tripwire);
    }
}
