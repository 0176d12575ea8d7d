//! Runs in flight: a bound on how many run at once, and cancellation.
//!
//! Every run holds a [`Ticket`] whose cancel flag the engine checks before each path. The flag
//! is set when the ticket is dropped (the client went away and the server dropped its request),
//! when a newer request of the same session arrives (a slider moved again), and when the server
//! shuts down. A run also needs one of a fixed number of permits, held until its computation
//! has really stopped, so a cancelled run never overlaps more new ones than the bound allows.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The runs of a server.
pub struct Runs {
    permits: Arc<Semaphore>,
    /// How long a request waits for a permit before it is turned away.
    wait: Duration,
    next: AtomicU64,
    /// The cancel flag of every run in flight, by ticket id.
    active: Mutex<HashMap<u64, Arc<AtomicBool>>>,
    /// The newest ticket of each session.
    sessions: Mutex<HashMap<String, u64>>,
    closed: AtomicBool,
}

/// Why a run could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Every permit stayed taken for the whole wait.
    Busy,
    /// The server is shutting down.
    Closed,
}

/// One run's right to go on: cancelled when dropped.
pub struct Ticket {
    id: u64,
    cancel: Arc<AtomicBool>,
    session: Option<String>,
    runs: Arc<Runs>,
}

impl Runs {
    /// At most `limit` runs at once; a request waits up to `wait` for its turn.
    pub fn new(limit: usize, wait: Duration) -> Arc<Runs> {
        Arc::new(Runs {
            permits: Arc::new(Semaphore::new(limit)),
            wait,
            next: AtomicU64::new(0),
            active: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            closed: AtomicBool::new(false),
        })
    }

    /// A ticket for a new run; a run of the same session still in flight is cancelled.
    pub fn ticket(self: &Arc<Self>, session: Option<String>) -> Result<Ticket, Refusal> {
        if self.closed.load(Ordering::SeqCst) {
            return Err(Refusal::Closed);
        }
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let cancel = Arc::new(AtomicBool::new(false));
        let mut active = lock(&self.active);
        let stale = session
            .as_ref()
            .and_then(|s| lock(&self.sessions).insert(s.clone(), id));
        if let Some(flag) = stale.and_then(|old| active.get(&old)) {
            flag.store(true, Ordering::SeqCst);
        }
        active.insert(id, cancel.clone());
        Ok(Ticket {
            id,
            cancel,
            session,
            runs: self.clone(),
        })
    }

    /// Waits for a permit to run.
    pub async fn permit(&self) -> Result<OwnedSemaphorePermit, Refusal> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) if !self.closed.load(Ordering::SeqCst) => Ok(permit),
            Ok(_) => Err(Refusal::Closed),
            Err(_) => Err(Refusal::Busy),
        }
    }

    /// Cancels every run in flight and refuses new ones.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.permits.close();
        for flag in lock(&self.active).values() {
            flag.store(true, Ordering::SeqCst);
        }
    }

    /// Runs in flight (holding a ticket).
    pub fn in_flight(&self) -> usize {
        lock(&self.active).len()
    }
}

impl Ticket {
    /// The flag the engine checks.
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Whether the run was cancelled: by a newer request of its session, or by shutdown.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::SeqCst);
        lock(&self.runs.active).remove(&self.id);
        if let Some(s) = &self.session {
            let mut sessions = lock(&self.runs.sessions);
            if sessions.get(s) == Some(&self.id) {
                sessions.remove(s);
            }
        }
    }
}

/// A lock whose data stays usable even if a thread panicked while holding it (every update
/// above is a single insert or remove).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_ticket_of_a_session_cancels_the_older() {
        let runs = Runs::new(2, Duration::from_millis(10));
        let a = runs.ticket(Some("tab".into())).unwrap();
        let other = runs.ticket(Some("other".into())).unwrap();
        let plain = runs.ticket(None).unwrap();
        assert!(!a.is_cancelled());
        let b = runs.ticket(Some("tab".into())).unwrap();
        assert!(a.is_cancelled());
        assert!(!b.is_cancelled() && !other.is_cancelled() && !plain.is_cancelled());
        assert_eq!(runs.in_flight(), 4);
        // Dropping the stale ticket leaves the newer one as the session's.
        drop(a);
        let flag = b.cancel_flag();
        drop(b);
        assert!(flag.load(Ordering::SeqCst), "a dropped ticket is cancelled");
        assert!(lock(&runs.sessions).get("tab").is_none());
        assert_eq!(runs.in_flight(), 2);
    }

    #[test]
    fn close_cancels_everything_and_refuses_new_runs() {
        let runs = Runs::new(1, Duration::from_millis(10));
        let a = runs.ticket(None).unwrap();
        runs.close();
        assert!(a.is_cancelled());
        assert_eq!(runs.ticket(None).err(), Some(Refusal::Closed));
    }

    #[test]
    fn permits_are_bounded() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let runs = Runs::new(1, Duration::from_millis(20));
            let first = runs.permit().await.unwrap();
            assert_eq!(runs.permit().await.err(), Some(Refusal::Busy));
            drop(first);
            assert!(runs.permit().await.is_ok());
        });
    }
}
