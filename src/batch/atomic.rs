//! Output files that appear whole or not at all.
//!
//! Input: a destination path. Output: an [`AtomicFile`] written as a temporary file in the
//! same directory (`.<name>.<pid>.tmp`) and renamed over the destination by
//! [`AtomicFile::commit`]. Dropping it uncommitted removes the temporary file; a killed
//! process can leave only the temporary file behind, never a half-written destination.
//!
//! The file is synced to disk before the rename (else a crash could leave a renamed but
//! empty file). Batch outputs run to hundreds of megabytes, so a background thread syncs
//! what has been written every [`SYNC_EVERY`] bytes while the run goes on: the disk writes
//! overlap the evaluation, and the sync at the end has little left to wait for.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

use super::error::BatchError;

/// Bytes written between background syncs.
const SYNC_EVERY: u64 = 32 << 20;

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

/// A file being written, renamed into place when complete.
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
    syncer: Option<Syncer>,
    /// Bytes written since the last background sync was asked for
    unsynced: u64,
}

impl AtomicFile {
    /// Start writing `dest`: creates the temporary file beside it.
    pub fn create(dest: &Path) -> Result<Self, BatchError> {
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().to_string());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(|e| BatchError::io("create", dest, &e))?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            tmp,
            syncer: Syncer::start(&file),
            file: Some(BufWriter::with_capacity(1 << 16, file)),
            unsynced: 0,
        })
    }

    /// The temporary file's path.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Append bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), BatchError> {
        let Some(f) = &mut self.file else {
            return Ok(());
        };
        f.write_all(bytes)
            .map_err(|e| BatchError::io("write", &self.dest, &e))?;
        self.unsynced += bytes.len() as u64;
        if self.unsynced >= SYNC_EVERY {
            self.unsynced = 0;
            if let Some(syncer) = &self.syncer {
                syncer.ask();
            }
        }
        Ok(())
    }

    /// The writer, for formatters that write themselves (`csv::Writer`).
    pub fn writer(&mut self) -> Option<&mut BufWriter<File>> {
        self.file.as_mut()
    }

    /// Flush, sync and rename the temporary file over the destination.
    pub fn commit(mut self) -> Result<(), BatchError> {
        let Some(writer) = self.file.take() else {
            return Ok(());
        };
        let dest = self.dest.clone();
        let file = writer
            .into_inner()
            .map_err(|e| BatchError::io("write", &dest, e.error()))?;
        if let Some(syncer) = self.syncer.take() {
            syncer.stop();
        }
        file.sync_all()
            .map_err(|e| BatchError::io("write", &dest, &e))?;
        drop(file);
        std::fs::rename(&self.tmp, &dest).map_err(|e| BatchError::io("write", &dest, &e))?;
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
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::{AtomicFile, SYNC_EVERY};

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
    fn written(dir: &std::path::Path) -> (AtomicFile, std::path::PathBuf, Vec<Vec<u8>>) {
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
        assert_eq!(std::fs::read(&dest).unwrap(), rows.concat());
    }

    #[test]
    fn a_file_dropped_while_syncing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (file, tmp, _) = written(dir.path());
        drop(file);
        assert!(!tmp.exists() && !dir.path().join("out.csv").exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
