//! Folders a run keeps for its life in the temporary directory (throwaway clusters, ssh socket
//! folders), and the sweep that removes those of runs that died. A run holds an exclusive
//! `flock` on a lock file inside its folder all along; the kernel drops it when the process
//! dies (`kill -9` too, and across pid namespaces sharing `/tmp`), so a folder named like ours
//! whose lock this user made and nobody holds belongs to a dead run.

use std::fs::File;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The lock file inside every run folder.
pub const LOCK_FILE: &str = "pgdrift.lock";

/// Create the lock file of a new run folder, locked, with `note` in it for whoever finds the
/// folder. It is locked under another name and then renamed into place, so a sweeping run
/// never finds it unlocked while its owner lives.
pub fn lock(dir: &Path, note: &str) -> std::io::Result<File> {
    use std::io::Write;
    let staging = dir.join(format!("{LOCK_FILE}.new"));
    let mut file = File::create(&staging)?;
    file.lock()?;
    let _ = writeln!(file, "{note}");
    std::fs::rename(&staging, dir.join(LOCK_FILE))?;
    Ok(file)
}

/// The lock of a run folder, locked by us, when this user made it and its owner no longer
/// holds it.
pub fn take_abandoned(dir: &Path) -> Option<File> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(dir.join(LOCK_FILE))
        .ok()?;
    let meta = file.metadata().ok()?;
    // SAFETY: geteuid has no preconditions.
    let me = unsafe { libc::geteuid() };
    if !meta.is_file() || meta.uid() != me {
        return None;
    }
    // A lock outlives its owner's `File` for a moment when a thread of that process forked
    // meanwhile (the child keeps the descriptor until it execs): ask again briefly before
    // taking the folder for a live run's. A live run holds it all along.
    for _ in 0..20 {
        if file.try_lock().is_ok() {
            return Some(file);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

/// What a sweep did with a folder a dead run left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leftover {
    /// Nobody held its lock and nothing listened in it: removed.
    Removed(PathBuf),
    /// Nobody holds its lock, but something still listens on a socket in it: left alone (it
    /// is not ours to stop; its owner's death normally stops it, and a later run removes the
    /// rest).
    ServerRunning(PathBuf),
    /// Nobody holds its lock, but removing it failed.
    NotRemoved(PathBuf, String),
}

/// Remove the folders in `parent` named `prefix...` whose owner is gone: a real folder (not a
/// link) whose lock nobody holds, and in which `in_use` sees nothing still listening. The lock
/// stays held while the folder is removed, so two sweeping runs never race.
pub fn sweep(parent: &Path, prefix: &str, in_use: impl Fn(&Path) -> bool) -> Vec<Leftover> {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Vec::new();
    };
    let mut outcomes = Vec::new();
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let dir = entry.path();
        if !std::fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_dir()) {
            continue;
        }
        let Some(_lock) = take_abandoned(&dir) else {
            continue;
        };
        if in_use(&dir) {
            outcomes.push(Leftover::ServerRunning(dir));
            continue;
        }
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => outcomes.push(Leftover::Removed(dir)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => outcomes.push(Leftover::NotRemoved(dir, e.to_string())),
        }
    }
    outcomes
}
