//! The data directory `initdb` writes for a throwaway cluster, kept in the user's cache and
//! copied for the next cluster from the same server binaries: copying its 40 MB takes a few
//! hundredths of a second, where `initdb` takes half a second or more (most of a small check on
//! SQL files).
//!
//! An entry is named after everything its contents depend on: the binaries (their folder, size
//! and modification time), `initdb`'s arguments, the time zone `initdb` writes into
//! `postgresql.conf`, and pgdrift's version. Entries are written to a temporary name and renamed
//! into place, so a reader never sees half an entry and two runs that race both succeed. An
//! entry unused for 30 days is removed when a new one is written.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Where cluster templates are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TemplateCache {
    /// `PGDRIFT_CACHE_DIR`, else `$XDG_CACHE_HOME/pgdrift`, else `~/.cache/pgdrift`;
    /// `PGDRIFT_CACHE_DIR=off` turns the cache off.
    #[default]
    Default,
    /// Always run `initdb`.
    Off,
    /// Keep templates in this folder.
    In(PathBuf),
}

/// How long an unused entry is kept.
const UNUSED_FOR: Duration = Duration::from_secs(30 * 24 * 3600);

/// What every entry's folder name begins with.
const ENTRY_PREFIX: &str = "cluster-";

impl TemplateCache {
    fn folder(&self) -> Option<PathBuf> {
        match self {
            TemplateCache::Off => None,
            TemplateCache::In(dir) => Some(dir.clone()),
            TemplateCache::Default => {
                let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
                if let Some(dir) = var("PGDRIFT_CACHE_DIR") {
                    return (dir != "off").then(|| PathBuf::from(dir));
                }
                var("XDG_CACHE_HOME")
                    .map(PathBuf::from)
                    .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cache")))
                    .map(|dir| dir.join("pgdrift"))
            }
        }
    }

    /// The entry for a cluster from `bindir` made with `initdb_args`, or `None` when the cache
    /// is off or the binaries cannot be looked at.
    pub(super) fn entry(&self, bindir: &Path, initdb_args: &[&str]) -> Option<Entry> {
        let folder = self.folder()?;
        let bindir = bindir.canonicalize().ok()?;
        let mut material = format!("pgdrift {}\n", env!("CARGO_PKG_VERSION"));
        material.push_str(&format!("{}\n", bindir.display()));
        for program in ["initdb", "postgres"] {
            let meta = std::fs::metadata(bindir.join(program)).ok()?;
            let modified = meta
                .modified()
                .ok()?
                .duration_since(SystemTime::UNIX_EPOCH)
                .ok()?;
            material.push_str(&format!(
                "{program} {} {}\n",
                meta.len(),
                modified.as_nanos()
            ));
        }
        material.push_str(&initdb_args.join(" "));
        material.push_str(&format!(
            "\nTZ={}\n",
            std::env::var("TZ").unwrap_or_default()
        ));
        Some(Entry {
            path: folder.join(format!("{ENTRY_PREFIX}{:016x}", fnv1a(material.as_bytes()))),
            folder,
        })
    }
}

/// One cached data directory.
#[derive(Debug)]
pub(super) struct Entry {
    folder: PathBuf,
    path: PathBuf,
}

impl Entry {
    /// Copy the entry to `data` (which must not exist), handing every copied path to the server
    /// user with `give`. `false` when there is no entry or it cannot be copied; `data` is then
    /// gone again.
    pub(super) fn copy_to(&self, data: &Path, give: &dyn Fn(&Path) -> Result<(), String>) -> bool {
        if !self.path.join("PG_VERSION").is_file() {
            return false;
        }
        match copy_tree(&self.path, data, give) {
            Ok(()) => {
                // Marks the entry used, for the removal of unused ones.
                let _ =
                    std::fs::File::open(&self.path).and_then(|f| f.set_modified(SystemTime::now()));
                true
            }
            Err(_) => {
                let _ = std::fs::remove_dir_all(data);
                false
            }
        }
    }

    /// Keep a copy of the fresh data directory `data`. Failing to is not an error: the next
    /// cluster runs `initdb` again.
    pub(super) fn store(&self, data: &Path) {
        if std::fs::create_dir_all(&self.folder).is_err() {
            return;
        }
        let Ok(staging) = tempfile::Builder::new()
            .prefix(".staging-")
            .tempdir_in(&self.folder)
        else {
            return;
        };
        let copy = staging.path().join("data");
        if copy_tree(data, &copy, &|_| Ok(())).is_err() {
            return;
        }
        // Fails when a run that raced this one stored the same entry first: theirs is as good.
        if std::fs::rename(&copy, &self.path).is_ok() {
            self.remove_unused();
        }
    }

    /// Remove the entry (one the server could not start from).
    pub(super) fn remove(&self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }

    fn remove_unused(&self) {
        let Ok(entries) = std::fs::read_dir(&self.folder) else {
            return;
        };
        let now = SystemTime::now();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let path = entry.path();
            let unused = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age > UNUSED_FOR);
            if name.to_string_lossy().starts_with(ENTRY_PREFIX) && path != self.path && unused {
                let _ = std::fs::remove_dir_all(&path);
            }
        }
    }
}

/// Copy a data directory: folders and regular files only, with their permission bits
/// (PostgreSQL refuses a data directory others can read).
fn copy_tree(
    from: &Path,
    to: &Path,
    give: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<(), String> {
    let io = |e: std::io::Error| e.to_string();
    std::fs::create_dir(to).map_err(io)?;
    std::fs::set_permissions(to, std::fs::metadata(from).map_err(io)?.permissions()).map_err(io)?;
    give(to)?;
    for entry in std::fs::read_dir(from).map_err(io)? {
        let entry = entry.map_err(io)?;
        let kind = entry.file_type().map_err(io)?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target, give)?;
        } else if kind.is_file() {
            // std::fs::copy keeps the permission bits.
            std::fs::copy(entry.path(), &target).map_err(io)?;
            give(&target)?;
        } else {
            return Err(format!(
                "{} is neither a file nor a folder",
                entry.path().display()
            ));
        }
    }
    Ok(())
}

/// FNV-1a, 64 bits: a name for an entry that stays the same across builds and Rust versions
/// (the standard library's hasher promises neither).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_bindir(dir: &Path) -> PathBuf {
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("initdb"), "initdb").unwrap();
        std::fs::write(bin.join("postgres"), "postgres").unwrap();
        bin
    }

    #[test]
    fn the_entry_changes_with_the_binaries_and_the_arguments() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_bindir(dir.path());
        let cache = TemplateCache::In(dir.path().join("cache"));
        let first = cache.entry(&bin, &["-U", "postgres"]).unwrap().path;
        assert_eq!(first, cache.entry(&bin, &["-U", "postgres"]).unwrap().path);
        assert_ne!(first, cache.entry(&bin, &["-U", "other"]).unwrap().path);
        std::fs::write(bin.join("postgres"), "postgres, rebuilt").unwrap();
        assert_ne!(first, cache.entry(&bin, &["-U", "postgres"]).unwrap().path);
        assert!(TemplateCache::Off.entry(&bin, &[]).is_none());
        assert!(cache.entry(&dir.path().join("missing"), &[]).is_none());
    }

    #[test]
    fn a_stored_entry_copies_back_with_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_bindir(dir.path());
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("base/1")).unwrap();
        std::fs::write(data.join("PG_VERSION"), "15\n").unwrap();
        std::fs::write(data.join("base/1/1259"), "catalog").unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).unwrap();
        std::fs::set_permissions(
            data.join("PG_VERSION"),
            std::fs::Permissions::from_mode(0o600),
        )
        .unwrap();
        let entry = TemplateCache::In(dir.path().join("cache"))
            .entry(&bin, &[])
            .unwrap();
        let copy = dir.path().join("copy");
        assert!(!entry.copy_to(&copy, &|_| Ok(())), "nothing stored yet");
        entry.store(&data);
        let given = std::cell::RefCell::new(Vec::new());
        assert!(entry.copy_to(&copy, &|p| {
            given.borrow_mut().push(p.to_path_buf());
            Ok(())
        }));
        assert_eq!(
            std::fs::read_to_string(copy.join("base/1/1259")).unwrap(),
            "catalog"
        );
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&copy), 0o700);
        assert_eq!(mode(&copy.join("PG_VERSION")), 0o600);
        assert_eq!(given.borrow().len(), 5, "every folder and file handed over");
        // No staging folder is left beside the entry.
        let names: Vec<String> = std::fs::read_dir(dir.path().join("cache"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(names[0].starts_with(ENTRY_PREFIX));
        // A failing hand-over leaves no half copy.
        let again = dir.path().join("again");
        assert!(!entry.copy_to(&again, &|_| Err("no".into())));
        assert!(!again.exists());
    }
}
