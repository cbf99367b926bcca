//! Files: writing reports and snapshots so that a failed run never leaves half a file. A leaf:
//! it depends on nothing else in the crate.

use std::io::Write;
use std::path::Path;

/// Whether `path` means standard output (`-`).
pub fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// Write `contents` to `path` so that readers never see half a file: a temporary file in the
/// same folder, then a rename. `-` means standard output; a reader there that stops reading
/// (`| head`) is not an error.
pub fn write_atomic(path: &Path, contents: &str) -> std::io::Result<()> {
    if is_stdout(path) {
        let mut out = std::io::stdout().lock();
        return match out
            .write_all(contents.as_bytes())
            .and_then(|()| out.flush())
        {
            // The reader took what it wanted; the rest of the run (other reports, the exit
            // code) does not depend on it.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            written => written,
        };
    }
    // A device or pipe (`/dev/null`, a named pipe) is written in place: renaming over it would
    // replace the device with a plain file.
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        f.write_all(contents.as_bytes())?;
        return f.flush();
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".pgdrift-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    // Temporary files are private (0600); a report is for everyone who can read the folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    /// The names in `dir`, sorted: a temporary file left behind would show here.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// A rewrite puts a new file in place (a new inode) and leaves the old one as it was: a
    /// second name for the old report still reads the old text. Writing in place would keep
    /// the inode and change what both names read.
    #[test]
    fn a_rewrite_is_a_new_file_and_the_old_one_is_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        write_atomic(&path, "{\"v\":1}").expect("first write");
        let before = std::fs::metadata(&path).expect("stat");
        let old_name = dir.path().join("old.json");
        std::fs::hard_link(&path, &old_name).expect("hard link");
        write_atomic(&path, "{\"v\":2}").expect("rewrite");
        let after = std::fs::metadata(&path).expect("stat");
        assert_ne!(before.ino(), after.ino(), "rewritten in place");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"v\":2}");
        assert_eq!(std::fs::read_to_string(&old_name).unwrap(), "{\"v\":1}");
        assert_eq!(after.mode() & 0o777, 0o644);
        assert_eq!(names(dir.path()), ["old.json", "report.json"]);
    }

    /// The rename fails (a non-empty folder stands where the report goes) after the temporary
    /// file was written: an error, the folder as it was, and no temporary file left.
    #[test]
    fn a_failed_rename_leaves_what_was_there_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        std::fs::create_dir(&path).expect("mkdir");
        std::fs::write(path.join("inside"), "kept").expect("write");
        assert!(write_atomic(&path, "new").is_err());
        assert!(path.is_dir());
        assert_eq!(
            std::fs::read_to_string(path.join("inside")).unwrap(),
            "kept"
        );
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    /// The rename over an old report fails (the old file is immutable, `chattr +i`: creating
    /// the temporary file beside it still works, only replacing it does not): the old report
    /// is intact and no temporary file is left. Needs CAP_LINUX_IMMUTABLE and a file system
    /// with the flag (ext4, xfs, btrfs, tmpfs from Linux 6.0); elsewhere the read-only folder
    /// test below covers a failure before the rename.
    #[test]
    fn a_rename_refused_over_the_old_report_leaves_it_intact() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old report").expect("write");
        let chattr = |flag: &str| {
            std::process::Command::new("chattr")
                .arg(flag)
                .arg(&path)
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !chattr("+i") {
            eprintln!("chattr +i is not available here (privileges or file system): not run");
            return;
        }
        // Clear the flag whatever happens, or the folder cannot be removed.
        struct Mutable<F: Fn(&str) -> bool>(F);
        impl<F: Fn(&str) -> bool> Drop for Mutable<F> {
            fn drop(&mut self) {
                (self.0)("-i");
            }
        }
        let guard = Mutable(chattr);
        let e = write_atomic(&path, "new report").expect_err("rename over an immutable file");
        assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied, "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old report");
        assert_eq!(names(dir.path()), ["report.json"]);
        drop(guard);
    }

    /// A folder nobody may write to: the temporary file cannot be created, and the old report
    /// stays. (Root writes anyway, so this proves nothing there: not run as root.)
    #[test]
    fn a_read_only_folder_leaves_the_old_report() {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } == 0 {
            eprintln!("root ignores folder permissions: not run");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        std::fs::write(&path, "old report").expect("write");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
        let result = write_atomic(&path, "new report");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old report");
        assert_eq!(names(dir.path()), ["report.json"]);
    }

    /// A reader reading the report over and over while it is rewritten, large, many times:
    /// every read is one of the whole versions, never an empty, short or mixed file.
    #[test]
    fn a_reader_never_sees_half_a_report() {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.json");
        let versions: Vec<String> = (0..4)
            .map(|v| {
                let rows: Vec<String> = (0..40_000)
                    .map(|i| format!("{{\"v\":{v},\"i\":{i}}}"))
                    .collect();
                format!("[{}]", rows.join(","))
            })
            .collect();
        write_atomic(&path, &versions[0]).expect("first write");
        let done = AtomicBool::new(false);
        let reads = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    let text = std::fs::read_to_string(&path).expect("the report is always there");
                    assert!(
                        versions.contains(&text),
                        "read {} bytes that are no whole version",
                        text.len()
                    );
                    reads.fetch_add(1, Ordering::Relaxed);
                }
            });
            // Rewrite until the reader has read often during the rewrites (and at least 60
            // times over), with a deadline in case the reader died.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            let mut round = 0;
            while (round < 60 || reads.load(Ordering::Relaxed) < 200) && !reader.is_finished() {
                round += 1;
                write_atomic(&path, &versions[round % versions.len()]).expect("rewrite");
                if std::time::Instant::now() > deadline {
                    break;
                }
            }
            done.store(true, Ordering::Relaxed);
        });
        assert!(
            reads.load(Ordering::Relaxed) >= 200,
            "the reader did not keep up"
        );
    }
}
