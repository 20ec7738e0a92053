//! Results of requests run on the runtime's threads, handed to a foreign event loop (asyncio,
//! Go's netpoller) without callbacks and without blocking a thread per request.
//!
//! A task [`deliver`](Completions::deliver)s its result; when the queue goes from empty to
//! non-empty one byte is written to a socket whose other end ([`fd`](Completions::fd)) the
//! event loop watches; the loop then [`drain`](Completions::drain)s every result at once.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::Mutex;

/// A queue of `(ticket, result)` pairs with a readable-when-non-empty descriptor.
pub struct Completions<T> {
    done: Mutex<VecDeque<(u64, T)>>,
    doorbell: UnixStream,
    reader: UnixStream,
}

impl<T> std::fmt::Debug for Completions<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completions")
            .field("fd", &self.fd())
            .finish_non_exhaustive()
    }
}

impl<T> Completions<T> {
    /// A new queue (fails only if the system refuses a socket pair).
    pub fn new() -> std::io::Result<Self> {
        let (reader, doorbell) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        doorbell.set_nonblocking(true)?;
        Ok(Completions {
            done: Mutex::new(VecDeque::new()),
            doorbell,
            reader,
        })
    }

    /// The descriptor that becomes readable when results arrive. Owned by the queue: watch
    /// it, do not close it (`dup` it to give it to a runtime that will).
    pub fn fd(&self) -> RawFd {
        self.reader.as_raw_fd()
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

    #[test]
    fn the_doorbell_rings_once_per_batch_and_drain_clears_it() {
        let queue = Completions::new().unwrap();
        // Reads (and so consumes) one doorbell byte, if there is one.
        let readable = |q: &Completions<&str>| {
            let mut probe = [0u8; 1];
            (&q.reader).read(&mut probe).map(|n| n > 0).unwrap_or(false)
        };
        assert!(!readable(&queue));
        queue.deliver(1, "a");
        queue.deliver(2, "b");
        assert!(readable(&queue), "the first delivery rings");
        assert!(!readable(&queue), "the second does not ring again");
        assert_eq!(queue.drain(1), vec![(1, "a")]);
        assert_eq!(queue.drain(8), vec![(2, "b")]);
        assert!(queue.drain(8).is_empty());
        queue.deliver(3, "c");
        assert_eq!(queue.drain(8), vec![(3, "c")]);
        assert!(!readable(&queue), "drain cleared the doorbell");
    }
}
