//! [`write_atomically`]: the one way this workspace writes a file. The content goes to a new
//! temporary file in the same directory, is synced to disk, and only then renamed over the
//! target; a write that fails partway (a full disk, a file size limit, an error of the
//! caller's writer) removes the temporary file and leaves the old file as it was.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Writes `path` whole or not at all: `write` fills a temporary file beside it (created new,
/// never an existing one), which is synced and renamed over `path`. The directory must exist.
/// On any error the temporary file is removed and `path` is untouched (the old file, or none).
pub fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let (temp, file) = create_temp(path)?;
    let result = fill(file, write).and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    sync_dir(path);
    Ok(())
}

/// The contents are written, flushed and synced, in that order; the file is closed after.
fn fill(file: File, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut out = BufWriter::new(file);
    write(&mut out)?;
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.sync_all()
}

/// A new temporary file beside `path`: `.NAME.PID.N.tmp`, hidden and unique to this process
/// and call, created with `create_new` (an existing file of that name is never reused).
fn create_temp(path: &Path) -> io::Result<(PathBuf, File)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, format!("{} does not name a file", path.display()))
    })?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let temp = path.with_file_name(format!(".{}.{}.{n}.tmp", name.to_string_lossy(), std::process::id()));
    let file = OpenOptions::new().write(true).create_new(true).open(&temp)?;
    Ok((temp, file))
}

/// Syncs the directory holding `path`, so the rename itself survives a crash. Best effort: the
/// new file is already whole, and some platforms cannot open a directory.
fn sync_dir(path: &Path) {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("atlas-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    /// A write that fails after some bytes leaves the old file byte-identical and no
    /// temporary file behind; a write that succeeds replaces it.
    #[test]
    fn a_write_failing_partway_keeps_the_old_file() {
        let dir = dir("partway");
        let path = dir.join("cassette.json");
        std::fs::write(&path, b"the good cassette").unwrap();
        let failed = write_atomically(&path, |out: &mut dyn Write| {
            out.write_all(&[b'x'; 100_000])?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        });
        assert_eq!(failed.unwrap_err().kind(), io::ErrorKind::StorageFull);
        assert_eq!(std::fs::read(&path).unwrap(), b"the good cassette");
        assert_eq!(names(&dir), ["cassette.json"]);
        write_atomically(&path, |out: &mut dyn Write| out.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(names(&dir), ["cassette.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A target that cannot be replaced (a directory of that name) fails, and the temporary
    /// file is removed.
    #[test]
    fn a_failed_rename_removes_the_temporary_file() {
        let dir = dir("rename");
        let path = dir.join("taken");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("inside"), b"kept").unwrap();
        assert!(write_atomically(&path, |out: &mut dyn Write| out.write_all(b"new")).is_err());
        assert_eq!(names(&dir), ["taken"]);
        assert_eq!(std::fs::read(path.join("inside")).unwrap(), b"kept");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
