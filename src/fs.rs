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
