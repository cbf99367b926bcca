//! A signal that arrives once a run has read its targets: instead of dropping the run (which
//! loses everything it read), `main` tells it, and the run stops comparing, marks what it did
//! not compare as interrupted and still writes its reports. Before the run says it can do that
//! (`observe`), a signal drops it as before. A leaf: it depends on nothing else in the crate.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

static SIGNAL: OnceLock<String> = OnceLock::new();
static RAISED: Notify = Notify::const_new();
static OBSERVED: AtomicBool = AtomicBool::new(false);

/// The run has read its targets: from now on it ends by itself on a signal.
pub fn observe() {
    OBSERVED.store(true, Ordering::SeqCst);
}

/// Whether the run said it ends by itself on a signal.
pub fn is_observed() -> bool {
    OBSERVED.load(Ordering::SeqCst)
}

/// Record the signal (`SIGTERM`) and wake whoever waits for one. Only the first one counts.
pub fn raise(signal: String) {
    let _ = SIGNAL.set(signal);
    RAISED.notify_waiters();
}

/// The signal raised, if any.
pub fn raised() -> Option<&'static str> {
    SIGNAL.get().map(String::as_str)
}

/// Resolves with the signal's name once one is raised.
pub async fn wait() -> &'static str {
    loop {
        let notified = RAISED.notified();
        tokio::pin!(notified);
        // Registered before looking, so a signal raised in between is not missed.
        notified.as_mut().enable();
        if let Some(signal) = raised() {
            return signal;
        }
        notified.await;
    }
}

/// What a check that a signal kept from being compared says.
pub fn not_compared(signal: &str) -> String {
    format!("interrupted by {signal} before this target was compared")
}
