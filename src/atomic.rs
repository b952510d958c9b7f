//! Atomic file writes: an interrupted run leaves the old file or the new one, never half.
//!
//! Input: a target path and the bytes to write, all at once ([`write_atomic`]) or streamed
//! ([`AtomicFile`]). Output: the file replaced in one step. Every command that writes
//! files (`rules export`, `fmt`, `batch`, `diff`, ...) writes through this module: the
//! bytes go to a new hidden file in the same directory (`.NAME.PID.N.tmp`), which is
//! flushed to disk and then renamed over the target (a rename within one file system is
//! atomic on POSIX systems and on Windows for files), and the directory is synced so that
//! the rename itself survives a crash where the platform allows it.
//!
//! An unfinished file (an error, or dropped without [`AtomicFile::commit`]) is removed; a
//! killed process can leave only the temporary file behind, never a half-written target.
//! Batch outputs run to hundreds of megabytes, so a background thread syncs what has been
//! written every `SYNC_EVERY` bytes (32 MiB) while the run goes on: the disk writes
//! overlap the evaluation, and the sync at the end has little left to wait for. Small
//! files never start that thread.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Bytes written between background syncs.
const SYNC_EVERY: u64 = 32 << 20;

/// Write `bytes` to `path` atomically: temp file in the same directory, fsync, rename.
///
/// On error the target is untouched and the temporary file is removed. The directory must
/// exist. An existing target's permissions are not carried over (new files get the default
/// permissions).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.file_name().is_none() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path names no file",
        ));
    }
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "a directory is in the way",
        ));
    }
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// A file being written, renamed over its target by [`AtomicFile::commit`].
pub struct AtomicFile {
    dest: PathBuf,
    dir: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
    /// Started at the first background sync, so that small files never start a thread
    syncer: Option<Syncer>,
    /// Bytes written since the last background sync was asked for
    unsynced: u64,
}

impl AtomicFile {
    /// Start writing `dest`: creates the temporary file beside it. The directory must exist.
    pub fn create(dest: &Path) -> io::Result<Self> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().to_string());
        let (tmp, file) = create_temp(&dir, &name)?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            dir,
            tmp,
            file: Some(BufWriter::with_capacity(1 << 16, file)),
            syncer: None,
            unsynced: 0,
        })
    }

    /// The temporary file's path (for the tests: a killed run leaves nothing behind).
    #[cfg(test)]
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Append bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        let Some(f) = &mut self.file else {
            return Ok(());
        };
        f.write_all(bytes)?;
        self.unsynced += bytes.len() as u64;
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            if self.syncer.is_none() {
                self.syncer = Syncer::start(f.get_ref());
            }
            if let Some(syncer) = &self.syncer {
                syncer.ask();
            }
        }
        Ok(())
    }

    /// Flush, sync and rename the temporary file over the destination. On error the
    /// destination is untouched and the temporary file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(writer) = self.file.take() else {
            return Ok(());
        };
        let renamed = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
            .and_then(|file| {
                if let Some(syncer) = self.syncer.take() {
                    syncer.stop();
                }
                file.sync_all()?;
                drop(file);
                fs::rename(&self.tmp, &self.dest)
            });
        if let Err(e) = renamed {
            // Best effort: the temporary file is ours and useless now.
            let _ = fs::remove_file(&self.tmp);
            return Err(e);
        }
        // Make the rename itself durable where the platform allows syncing a directory.
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(syncer) = self.syncer.take() {
            syncer.stop();
        }
        if self.file.take().is_some() {
            // Not committed (an error stopped the run): leave nothing behind.
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

/// A new, exclusively created hidden file `.NAME.PID.N.tmp` in `dir`.
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100u32 {
        let candidate = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("cannot create a temporary file")))
}

/// A thread that syncs the file when asked; it stops when its sender is dropped.
struct Syncer {
    ask: SyncSender<()>,
    thread: JoinHandle<()>,
}

impl Syncer {
    /// `None` when the file cannot be shared or no thread can be started: the sync at the
    /// end then does all the work, as it would anyway.
    fn start(file: &File) -> Option<Self> {
        let file = file.try_clone().ok()?;
        let (ask, asked) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("meso-sync".into())
            .spawn(move || {
                // An error here is not lost: the final sync in `commit` meets it again.
                while asked.recv().is_ok() {
                    let _ = file.sync_data();
                }
            })
            .ok()?;
        Some(Syncer { ask, thread })
    }

    /// Ask for a sync, unless one is still running (the next request will catch up).
    fn ask(&self) {
        // Full: a sync is running and one is queued already. Disconnected: the thread
        // ended; the final sync does the work.
        let _ = self.ask.try_send(());
    }

    fn stop(self) {
        drop(self.ask);
        let _ = self.thread.join();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a.meso");
        fs::write(&target, "old").unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the target remains");
    }

    #[test]
    fn a_missing_directory_is_an_error_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("missing").join("a.meso");
        assert!(write_atomic(&target, b"x").is_err());
        assert!(!target.exists());
    }

    #[test]
    fn a_directory_in_the_way_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), b"x").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::IsADirectory);
    }

    /// Enough bytes for several background syncs, written in rows of uneven length.
    fn rows() -> Vec<Vec<u8>> {
        let total = 3 * SYNC_EVERY + 12_345;
        let mut rows = Vec::new();
        let mut written = 0u64;
        let mut i = 0u64;
        while written < total {
            let row = format!("{i},{}\n", "x".repeat((i % 97) as usize)).into_bytes();
            written += row.len() as u64;
            rows.push(row);
            i += 1;
        }
        rows
    }

    /// A file at `dir/out.csv` with every row of [`rows`] written, not committed; its
    /// temporary path and the rows.
    fn written(dir: &Path) -> (AtomicFile, PathBuf, Vec<Vec<u8>>) {
        let mut file = AtomicFile::create(&dir.join("out.csv")).unwrap();
        let tmp = file.temp_path().to_path_buf();
        let rows = rows();
        for row in &rows {
            file.write_all(row).unwrap();
        }
        (file, tmp, rows)
    }

    #[test]
    fn a_file_synced_while_written_is_complete_after_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        let (file, tmp, rows) = written(dir.path());
        assert!(
            !dest.exists(),
            "nothing at the destination before the commit"
        );
        file.commit().unwrap();
        assert!(!tmp.exists());
        assert_eq!(fs::read(&dest).unwrap(), rows.concat());
    }

    #[test]
    fn a_file_dropped_while_syncing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (file, tmp, _) = written(dir.path());
        drop(file);
        assert!(!tmp.exists() && !dir.path().join("out.csv").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory at the destination: the rename fails.
        let dest = dir.path().join("out.csv");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("keep"), "x").unwrap();
        let mut file = AtomicFile::create(&dest).unwrap();
        let tmp = file.temp_path().to_path_buf();
        file.write_all(b"row\n").unwrap();
        assert!(file.commit().is_err());
        assert!(!tmp.exists());
        assert!(dest.join("keep").exists());
    }
}
