//! A client as a binding holds it: one handle for calls made from two worlds, a blocking call
//! driven by the caller's thread ([`runtime::block_on`](crate::runtime::block_on)) and a call
//! started on the process runtime ([`Completions::start`](crate::completion::Completions::start)
//! or a host's own future). A pooled connection belongs to the runtime that opened it, so the
//! handle keeps one pool per path it serves (a binding calling from one world has one),
//! sharing the key and settings, and decides once what closing means for its pools and for
//! the cursors it handed out, whose pages are fetched on the path of the call asking.

use std::sync::{Arc, Mutex, RwLock, Weak};

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::projects::{ListParams, ProjectCursor, ProjectText};

/// Which runtime a call runs on, and so which of a [`ClientHandle`]'s pools it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallPath {
    /// On the calling thread, through [`runtime::block_on`](crate::runtime::block_on).
    Blocking,
    /// On the process runtime ([`runtime::get`](crate::runtime::get)).
    Started,
}

/// The client built for the handle serves the path it was made for; the other path has a
/// copy with its own pool, made with the handle (it reads the trust store and proxy
/// variables of the environment the client was built in), or none for a binding that
/// calls from one world only (Node).
struct Pools {
    first: (CallPath, Client),
    other: Option<Client>,
}

impl Pools {
    fn get(&self, path: CallPath) -> Result<&Client> {
        match (&self.first, &self.other) {
            ((first_path, first), _) if *first_path == path => Ok(first),
            (_, Some(other)) => Ok(other),
            (_, None) => Err(Error::new(
                ErrorKind::Internal,
                format!("this client makes no {path:?} calls"),
            )),
        }
    }
}

/// A client for a binding: both pools, the cursors it handed out, and `shut_down`.
pub struct ClientHandle {
    pools: RwLock<Option<Arc<Pools>>>,
    cursors: Mutex<Vec<Weak<CursorHandle>>>,
    base_url: String,
}

impl std::fmt::Debug for ClientHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientHandle")
            .field("base_url", &self.base_url)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl ClientHandle {
    /// A handle over `client` (used for blocking calls) and a copy of it (the same settings,
    /// key and close) with its own pool for started calls.
    pub fn new(client: Client) -> Result<ClientHandle> {
        let started = client.with_separate_pool()?;
        Ok(Self::with_pools(CallPath::Blocking, client, Some(started)))
    }

    /// A handle whose calls all run on `path` (building a second pool loads the platform's
    /// trust store: milliseconds a binding calling from one world never needs).
    pub fn one_path(client: Client, path: CallPath) -> ClientHandle {
        Self::with_pools(path, client, None)
    }

    fn with_pools(path: CallPath, client: Client, other: Option<Client>) -> ClientHandle {
        ClientHandle {
            base_url: client.base_url().to_owned(),
            cursors: Mutex::new(Vec::new()),
            pools: RwLock::new(Some(Arc::new(Pools {
                first: (path, client),
                other,
            }))),
        }
    }

    /// The core client for calls on `path`; a `client_closed` error once shut down.
    pub fn client(&self, path: CallPath) -> Result<Client> {
        let pools = self.pools.read().unwrap_or_else(|p| p.into_inner());
        let pools = pools.as_ref().ok_or_else(Error::client_closed)?;
        pools.get(path).cloned()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The client the handle was made with (it shares key and close with the other pool).
    fn first(&self) -> Result<Client> {
        let pools = self.pools.read().unwrap_or_else(|p| p.into_inner());
        let pools = pools.as_ref().ok_or_else(Error::client_closed)?;
        Ok(pools.first.1.clone())
    }

    /// True once [`shut_down`](Self::shut_down) (or the core client's `close`) was called.
    pub fn is_closed(&self) -> bool {
        self.first().map(|c| c.is_closed()).unwrap_or(true)
    }

    /// Replaces the key of both pools; calls in flight finish with the old one.
    pub fn rotate_api_key(&self, key: impl Into<String>) -> Result<()> {
        self.first()?.rotate_api_key(key)
    }

    /// A cursor over every page, each page fetched on the path of the call that asks for it,
    /// let go when the handle shuts down. On a closed handle it is made all the same and its
    /// first page fails with `client_closed`, as an iteration over a closed client does in
    /// every language.
    pub fn cursor(&self, params: ListParams) -> Arc<CursorHandle> {
        let pools = self.pools.read().unwrap_or_else(|p| p.into_inner()).clone();
        let cursor = Arc::new(CursorHandle {
            cursor: Mutex::new(
                pools
                    .as_ref()
                    .map(|pools| Arc::new(pools.first.1.projects().text_cursor(params))),
            ),
            pools: pools.as_ref().map_or_else(Weak::new, Arc::downgrade),
        });
        let mut cursors = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
        cursors.retain(|c| c.strong_count() > 0);
        cursors.push(Arc::downgrade(&cursor));
        cursor
    }

    /// Closes the client: calls in flight stop at once and every later call, cursors
    /// included, fails with `client_closed`. Both pools and the cursors' clients are let go
    /// now, so their connections close now, not when the host frees the handle (an iteration
    /// abandoned halfway must not keep a closed client's connections open). Idempotent.
    pub fn shut_down(&self) {
        let pools = self.pools.write().unwrap_or_else(|p| p.into_inner()).take();
        let Some(pools) = pools else {
            return;
        };
        pools.first.1.close(); // shared with the other pool
        drop(pools);
        let cursors = std::mem::take(&mut *self.cursors.lock().unwrap_or_else(|p| p.into_inner()));
        for cursor in cursors.iter().filter_map(Weak::upgrade) {
            cursor.release();
        }
        // The blocking pool's connections close when its runtime next runs: now.
        crate::runtime::run_pending();
    }
}

impl Drop for ClientHandle {
    /// A handle freed without `shut_down`: its connections close now.
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// A cursor handed out by a [`ClientHandle`]; it fails with `client_closed` once the handle
/// shuts down.
#[derive(Debug)]
pub struct CursorHandle {
    /// `None` once its client shut down.
    cursor: Mutex<Option<Arc<ProjectCursor<ProjectText>>>>,
    /// The handle's pools, not kept alive by the cursor.
    pools: Weak<Pools>,
}

impl CursorHandle {
    /// The cursor, and the client to fetch its next page with on `path` (a connection
    /// belongs to its path's runtime); a `client_closed` error once shut down.
    pub(crate) fn get(&self, path: CallPath) -> Result<(Arc<ProjectCursor<ProjectText>>, Client)> {
        let cursor = self
            .cursor
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let pools = self.pools.upgrade();
        match (cursor, pools) {
            (Some(cursor), Some(pools)) => Ok((cursor, pools.get(path)?.clone())),
            _ => Err(Error::client_closed()),
        }
    }

    fn release(&self) {
        self.cursor.lock().unwrap_or_else(|p| p.into_inner()).take();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle() -> ClientHandle {
        let client = Client::builder()
            .api_key("sk_test_handle")
            .base_url("http://127.0.0.1:9/v3")
            .build()
            .unwrap();
        ClientHandle::new(client).unwrap()
    }

    #[test]
    fn shutting_down_closes_both_paths_and_every_cursor_handed_out() {
        let handle = handle();
        let cursor = handle.cursor(ListParams::new());
        let other_cursor = handle.cursor(ListParams::new());
        let started = handle.client(CallPath::Started).unwrap();
        assert!(!handle.is_closed() && cursor.get(CallPath::Started).is_ok());
        handle.shut_down();
        assert!(handle.is_closed());
        assert!(
            started.is_closed(),
            "a client taken before shares the close"
        );
        for path in [CallPath::Blocking, CallPath::Started] {
            assert_eq!(
                handle.client(path).unwrap_err().code(),
                Some("client_closed")
            );
            let late = handle.cursor(ListParams::new());
            assert_eq!(late.get(path).unwrap_err().code(), Some("client_closed"));
            for cursor in [&cursor, &other_cursor] {
                assert_eq!(cursor.get(path).unwrap_err().code(), Some("client_closed"));
            }
        }
        assert_eq!(
            handle.rotate_api_key("sk_test_other").unwrap_err().code(),
            Some("client_closed")
        );
        handle.shut_down(); // idempotent
        assert_eq!(handle.base_url(), "http://127.0.0.1:9/v3");
    }

    #[test]
    fn a_one_path_handle_builds_one_pool_and_refuses_the_other_path() {
        let client = Client::builder()
            .api_key("sk_test_handle")
            .base_url("http://127.0.0.1:9/v3")
            .build()
            .unwrap();
        let handle = ClientHandle::one_path(client, CallPath::Started);
        assert!(handle.client(CallPath::Started).is_ok());
        let refused = handle.client(CallPath::Blocking).unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Internal);
        let cursor = handle.cursor(ListParams::new());
        assert!(cursor.get(CallPath::Started).is_ok());
        assert_eq!(
            cursor.get(CallPath::Blocking).unwrap_err().kind(),
            ErrorKind::Internal
        );
        handle.shut_down();
        assert_eq!(
            cursor.get(CallPath::Started).unwrap_err().code(),
            Some("client_closed")
        );
    }

    #[test]
    fn a_rotated_key_stays_out_of_debug_and_dropped_cursors_are_forgotten() {
        let handle = handle();
        handle.rotate_api_key("sk_test_rotated").unwrap();
        let debug = format!("{handle:?}");
        assert!(!debug.contains("sk_test"), "no key in {debug}");
        // Dropped cursors are forgotten, not kept until shut_down.
        for _ in 0..10 {
            drop(handle.cursor(ListParams::new()));
        }
        handle.cursor(ListParams::new());
        assert!(handle.cursors.lock().unwrap().len() <= 2);
    }
}
