//! Cleanups that must outlive the future that needed them. A signal ends a run by dropping its
//! future; a guard (a scratch database) cannot await in `Drop`, so it hands its cleanup to
//! `defer`, which runs it on the runtime, and `main` awaits `finish` before the process exits.

use std::future::Future;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

static PENDING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());

/// Run `cleanup` on the current runtime, and have `finish` wait for it. Without a runtime there
/// is nothing to run it on, and it is dropped.
pub(crate) fn defer(cleanup: impl Future<Output = ()> + Send + 'static) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let task = runtime.spawn(cleanup);
    PENDING
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .push(task);
}

/// Wait for every deferred cleanup (and those they defer in turn), for at most `limit`: a
/// cleanup that cannot finish (an unreachable server) must not keep the process alive.
pub async fn finish(limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let tasks = std::mem::take(
            &mut *PENDING
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        if tasks.is_empty() {
            return;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if tokio::time::timeout(left, futures_util::future::join_all(tasks))
            .await
            .is_err()
        {
            return;
        }
    }
}
