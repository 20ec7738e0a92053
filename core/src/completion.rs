//! Results of requests run on the runtime's threads, handed to a foreign event loop (asyncio,
//! Go's netpoller) without callbacks and without blocking a thread per request.
//!
//! A task [`deliver`](Completions::deliver)s its result; when the queue goes from empty to
//! non-empty one byte is written to a socket whose other end ([`fd`](Completions::fd)) the
//! event loop watches; the loop then [`drain`](Completions::drain)s every result at once.
//!
//! The socket pair is a Unix socket pair on Unix. Windows has none that its event loops
//! watch, so there it is a connected pair of loopback TCP sockets (what asyncio's own
//! `socket.socketpair` does on Windows): `fd` is then a `SOCKET`.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::sync::Mutex;

#[cfg(unix)]
type Socket = std::os::unix::net::UnixStream;
#[cfg(not(unix))]
type Socket = std::net::TcpStream;

/// The descriptor an event loop watches: a file descriptor on Unix, a `SOCKET` on Windows.
#[cfg(unix)]
pub type RawDescriptor = std::os::fd::RawFd;
/// The descriptor an event loop watches: a file descriptor on Unix, a `SOCKET` on Windows.
#[cfg(windows)]
pub type RawDescriptor = std::os::windows::io::RawSocket;

/// A queue of `(ticket, result)` pairs with a readable-when-non-empty descriptor.
pub struct Completions<T> {
    done: Mutex<VecDeque<(u64, T)>>,
    doorbell: Socket,
    reader: Socket,
}

impl<T> std::fmt::Debug for Completions<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completions")
            .field("fd", &self.fd())
            .finish_non_exhaustive()
    }
}

/// A connected pair of loopback TCP sockets, the second accepted from a listener that took
/// only the first's connection (another local process connecting first is refused).
#[cfg_attr(unix, allow(dead_code))] // Unix uses it only in tests
fn loopback_pair() -> std::io::Result<(std::net::TcpStream, std::net::TcpStream)> {
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    let connected = TcpStream::connect(listener.local_addr()?)?;
    loop {
        let (accepted, peer) = listener.accept()?;
        if peer == connected.local_addr()? {
            connected.set_nodelay(true)?;
            return Ok((accepted, connected));
        }
        // Someone else's connection: drop it and wait for ours (already queued).
    }
}

#[cfg(unix)]
fn socket_pair() -> std::io::Result<(Socket, Socket)> {
    Socket::pair()
}

#[cfg(not(unix))]
fn socket_pair() -> std::io::Result<(Socket, Socket)> {
    loopback_pair()
}

impl<T> Completions<T> {
    /// A new queue (fails only if the system refuses a socket pair).
    pub fn new() -> std::io::Result<Self> {
        Self::from_pair(socket_pair()?)
    }

    fn from_pair((reader, doorbell): (Socket, Socket)) -> std::io::Result<Self> {
        reader.set_nonblocking(true)?;
        doorbell.set_nonblocking(true)?;
        Ok(Completions {
            done: Mutex::new(VecDeque::new()),
            doorbell,
            reader,
        })
    }

    /// The descriptor that becomes readable when results arrive. Owned by the queue: watch
    /// it, do not close it (on Unix, `dup` it to give it to a runtime that will).
    pub fn fd(&self) -> RawDescriptor {
        #[cfg(unix)]
        return std::os::fd::AsRawFd::as_raw_fd(&self.reader);
        #[cfg(windows)]
        return std::os::windows::io::AsRawSocket::as_raw_socket(&self.reader);
    }

    /// Queues a result; rings the doorbell if the queue was empty.
    pub fn deliver(&self, ticket: u64, result: T) {
        let was_empty = {
            let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
            let was_empty = done.is_empty();
            done.push_back((ticket, result));
            was_empty
        };
        if was_empty {
            // WouldBlock: a wake-up is pending already. Any other error: nobody listens.
            let _ = (&self.doorbell).write(&[1]);
        }
    }

    /// Takes up to `max` results, after clearing the doorbell. Call it when the descriptor
    /// is readable, until it returns fewer than `max`.
    pub fn drain(&self, max: usize) -> Vec<(u64, T)> {
        let mut sink = [0u8; 256];
        while matches!((&self.reader).read(&mut sink), Ok(n) if n > 0) {}
        let mut done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        let count = done.len().min(max);
        done.drain(..count).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The queue's contract, over whichever socket pair it was made with.
    fn rings_once_per_batch_and_drain_clears_it(queue: Completions<&'static str>) {
        // Reads (and so consumes) one doorbell byte, if there is one.
        let readable = |q: &Completions<&str>| {
            let mut probe = [0u8; 1];
            (&q.reader).read(&mut probe).map(|n| n > 0).unwrap_or(false)
        };
        let wait_for_byte = |q: &Completions<&str>| {
            // A TCP byte may take a moment to cross loopback; a Unix one is there at once.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            while std::time::Instant::now() < deadline {
                if readable(q) {
                    return true;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            false
        };
        assert!(!readable(&queue));
        queue.deliver(1, "a");
        queue.deliver(2, "b");
        assert!(wait_for_byte(&queue), "the first delivery rings");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert!(!readable(&queue), "the second does not ring again");
        assert_eq!(queue.drain(1), vec![(1, "a")]);
        assert_eq!(queue.drain(8), vec![(2, "b")]);
        assert!(queue.drain(8).is_empty());
        queue.deliver(3, "c");
        assert!(wait_for_byte(&queue), "an empty queue rings again");
        queue.deliver(4, "d");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(queue.drain(8), vec![(3, "c"), (4, "d")]);
        assert!(!readable(&queue), "drain cleared the doorbell");
    }

    #[test]
    fn the_platform_doorbell_rings_once_per_batch() {
        rings_once_per_batch_and_drain_clears_it(Completions::new().unwrap());
    }

    /// Windows' pair, run here too so that its code is tested on every platform.
    #[cfg(unix)]
    #[test]
    fn the_loopback_tcp_doorbell_rings_once_per_batch() {
        use std::os::fd::{FromRawFd, IntoRawFd};
        let (a, b) = loopback_pair().unwrap();
        // SAFETY: descriptors just released by their owners; the streams only read and write.
        let pair = unsafe {
            (
                Socket::from_raw_fd(a.into_raw_fd()),
                Socket::from_raw_fd(b.into_raw_fd()),
            )
        };
        rings_once_per_batch_and_drain_clears_it(Completions::from_pair(pair).unwrap());
    }
}
