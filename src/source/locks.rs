//! The lock budget: how many relation locks pgdrift's reads of one server may hold at once.
//!
//! A server's lock table is shared by every session on it and has a fixed size
//! (`max_locks_per_transaction` × (`max_connections` + `max_prepared_transactions`)). A catalog
//! read holds one query's locks at a time (see `catalog::BEGIN`), but a fleet read of many
//! databases on one server at once adds them up, and when the table is full every session that
//! needs one more lock fails with "out of shared memory" — the application's as well as
//! pgdrift's. So before each read, pgdrift asks the server who it is, how large its lock table
//! is and how many locks this read will hold (`probe.sql`, one short query), and waits
//! until its other reads of that server leave room: all of them together stay within a quarter
//! of the lock table. A read larger than that on its own runs alone, never beside another read
//! of the same server (it then holds fewer locks than `pg_dump`, which locks every table).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::Client;

const PROBE: &str = include_str!("probe.sql");

/// The share of a server's lock table that pgdrift's reads may hold together.
const SHARE_DIVISOR: u64 = 4;

/// What `probe.sql` says about one read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockNeed {
    /// The server, however it was reached (its start time and port).
    pub server: String,
    /// The size of the server's shared lock table.
    pub lock_table: u64,
    /// The most relation locks the read will hold at once.
    pub locks: u64,
}

impl LockNeed {
    /// The locks all reads of this server may hold together.
    pub fn budget(&self) -> u64 {
        (self.lock_table / SHARE_DIVISOR).max(1)
    }

    /// What this read takes of the budget: its locks, or the whole budget when it needs more
    /// (it then runs alone).
    pub fn share(&self) -> u64 {
        self.locks.clamp(1, self.budget())
    }
}

/// What the one query before a read says: the server's `version()` and `server_version`, and
/// the read's [`LockNeed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// `version()`: `PostgreSQL 15.18 on x86_64-pc-linux-gnu, ...`.
    pub version: String,
    /// `server_version`: `15.18`.
    pub server_version: String,
    pub need: LockNeed,
}

/// Ask the server `client` is connected to what it is and for the read's [`LockNeed`].
pub async fn estimate(client: &Client) -> Result<Probe, String> {
    let step = |e: tokio_postgres::Error| crate::catalog::describe(&e);
    let row = client.query_one(PROBE, &[]).await.map_err(step)?;
    let number = |column: &str| -> Result<u64, String> {
        let value: i64 = row.try_get(column).map_err(step)?;
        Ok(value.max(0) as u64)
    };
    Ok(Probe {
        version: row.try_get("version").map_err(step)?,
        server_version: row.try_get("server_version").map_err(step)?,
        need: LockNeed {
            server: row.try_get("server").map_err(step)?,
            lock_table: number("lock_table")?,
            locks: number("locks")?,
        },
    })
}

/// Held for the length of a read: its share of its server's budget, given back when dropped.
#[derive(Debug)]
pub struct Reservation {
    _permit: OwnedSemaphorePermit,
}

/// Wait until the read described by `need` fits in its server's budget beside the reads of
/// that server already running, and take its share.
pub async fn reserve(need: &LockNeed) -> Reservation {
    let budget = budget_of(need);
    let share = u32::try_from(need.share()).unwrap_or(u32::MAX);
    let permit = budget
        .acquire_many_owned(share.min(permits(need.budget())))
        .await
        .expect("a lock budget is never closed");
    Reservation { _permit: permit }
}

fn permits(n: u64) -> u32 {
    u32::try_from(n)
        .unwrap_or(u32::MAX)
        .min(Semaphore::MAX_PERMITS as u32)
}

/// The budget of `need`'s server: one per server for the life of the process (every read of a
/// server sees the same lock table size, so the first one's sets it).
fn budget_of(need: &LockNeed) -> Arc<Semaphore> {
    static BUDGETS: OnceLock<Mutex<HashMap<String, Arc<Semaphore>>>> = OnceLock::new();
    let mut budgets = BUDGETS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    budgets
        .entry(need.server.clone())
        .or_insert_with(|| Arc::new(Semaphore::new(permits(need.budget()) as usize)))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn need(server: &str, lock_table: u64, locks: u64) -> LockNeed {
        LockNeed {
            server: server.into(),
            lock_table,
            locks,
        }
    }

    #[test]
    fn a_read_takes_its_locks_or_the_whole_budget() {
        // max_locks_per_transaction 64 × 100 connections: a quarter is 1,600.
        assert_eq!(need("s", 6400, 137).budget(), 1600);
        assert_eq!(need("s", 6400, 137).share(), 137);
        assert_eq!(need("s", 6400, 5000).share(), 1600);
        assert_eq!(need("s", 0, 0).share(), 1);
    }

    #[tokio::test]
    async fn reads_of_one_server_wait_for_room_and_other_servers_do_not() {
        let big = need("unit test server a", 400, 60);
        let first = reserve(&big).await;
        // 60 of 100 taken: another 60 must wait, until the first is done.
        let waiting = tokio::time::timeout(Duration::from_millis(50), reserve(&big)).await;
        assert!(waiting.is_err(), "a second read fit beside the first");
        // A read of another server does not wait.
        let other = tokio::time::timeout(
            Duration::from_millis(50),
            reserve(&need("unit test server b", 400, 60)),
        )
        .await;
        assert!(other.is_ok(), "a read of another server waited");
        // A small read fits beside the first.
        let small = tokio::time::timeout(
            Duration::from_millis(50),
            reserve(&need("unit test server a", 400, 40)),
        )
        .await;
        assert!(small.is_ok(), "40 more did not fit in 100 with 60 taken");
        drop((small, first));
        let second = tokio::time::timeout(Duration::from_millis(50), reserve(&big)).await;
        assert!(second.is_ok(), "the budget was not given back");
    }
}
