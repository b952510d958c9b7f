//! Output files that appear whole or not at all.
//!
//! Input: a destination path. Output: an [`AtomicFile`] written as a temporary file in the
//! same directory (`.<name>.<pid>.tmp`) and renamed over the destination by
//! [`AtomicFile::commit`]. Dropping it uncommitted removes the temporary file; a killed
//! process can leave only the temporary file behind, never a half-written destination.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::error::BatchError;

/// A file being written, renamed into place when complete.
pub struct AtomicFile {
    dest: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
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
            file: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// The temporary file's path.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Append bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), BatchError> {
        match &mut self.file {
            Some(f) => f
                .write_all(bytes)
                .map_err(|e| BatchError::io("write", &self.dest, &e)),
            None => Ok(()),
        }
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
        file.sync_all()
            .map_err(|e| BatchError::io("write", &dest, &e))?;
        drop(file);
        std::fs::rename(&self.tmp, &dest).map_err(|e| BatchError::io("write", &dest, &e))?;
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            // Not committed (an error stopped the run): leave nothing behind.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
