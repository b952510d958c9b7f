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
//!
//! Nothing is left behind by a stopped run. On Linux the new file has no name until the
//! commit (`O_TMPFILE`), so even SIGKILL leaves nothing. Where that is not available (other
//! systems, file systems that refuse it) the file is named `.NAME.PID.N.tmp`, and:
//! - Ctrl-C and SIGTERM (SIGHUP too; the console events on Windows) remove every such file
//!   of the process before it exits with status 130 (the handler is installed with the
//!   first named file; see [`cleanup`]);
//! - a killed run cannot clean up, so before `NAME` is written again, the `.NAME.PID.N.tmp`
//!   files beside it whose process is no longer alive are removed (Unix; elsewhere a
//!   process cannot be asked about cheaply, and they are left). Each folder is read once
//!   per process, however many files are written into it.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Bytes written between background syncs.
const SYNC_EVERY: u64 = 32 << 20;

/// Write `bytes` to `path` atomically: temp file in the same directory, fsync, rename.
///
/// `-` is standard output, and a target that is not a regular file (a device, a FIFO, a
/// socket) is written in place: neither is ever renamed over. On error the target is
/// untouched and the temporary file is removed. The directory must exist. An existing
/// target's permissions are not carried over (new files get the default permissions).
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

/// Names of standard output and standard error on Unix systems.
const STDOUT_NAMES: [&str; 3] = ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"];
const STDERR_NAMES: [&str; 3] = ["/dev/stderr", "/dev/fd/2", "/proc/self/fd/2"];

/// Whether `path` means standard output (`-`).
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// A file being written, renamed over its target by [`AtomicFile::commit`]; or a stream
/// (standard output or error, a device, a FIFO, a socket) written in place.
pub struct AtomicFile {
    sink: Option<Sink>,
    /// Started at the first background sync, so that small files never start a thread
    syncer: Option<Syncer>,
    /// Bytes written since the last background sync was asked for
    unsynced: u64,
}

/// Where the bytes go.
enum Sink {
    /// A new file renamed over `dest` at the commit
    Replace {
        file: BufWriter<File>,
        temp: Temp,
        dest: PathBuf,
        dir: PathBuf,
    },
    /// Written as it comes, never renamed: standard output or error, or a target that is
    /// not a regular file
    Stream(BufWriter<Box<dyn Write + Send>>),
}

/// The new file of a [`Sink::Replace`].
enum Temp {
    /// `.NAME.PID.N.tmp` beside the target (removed if the run fails; a killed process
    /// leaves it behind)
    Named(PathBuf),
    /// A file with no name yet (Linux `O_TMPFILE`): a killed process leaves nothing; it is
    /// linked into the directory only at the commit
    #[cfg(target_os = "linux")]
    Unnamed {
        /// The target's file name, for the temporary name given at the commit
        name: String,
    },
}

impl AtomicFile {
    /// Start writing `dest`. `-` is standard output; a target that exists and is not a
    /// regular file is opened and written in place; anything else gets a new file in the
    /// same directory (which must exist), renamed over it by [`AtomicFile::commit`].
    pub fn create(dest: &Path) -> io::Result<Self> {
        // The process's own standard streams, however they are spelled: written through
        // the open descriptor (whatever it is redirected to), never reopened or replaced.
        if is_stdout(dest) || STDOUT_NAMES.iter().any(|n| dest == Path::new(n)) {
            return Ok(Self::stream(Box::new(io::stdout())));
        }
        if STDERR_NAMES.iter().any(|n| dest == Path::new(n)) {
            return Ok(Self::stderr());
        }
        // A symbolic link is never renamed over: the file it points to is the target.
        let resolved;
        let dest = match fs::symlink_metadata(dest) {
            Ok(m) if m.file_type().is_symlink() => {
                resolved = fs::canonicalize(dest)?;
                resolved.as_path()
            }
            _ => dest,
        };
        if let Ok(meta) = fs::metadata(dest) {
            if !meta.is_file() && !meta.is_dir() {
                let file = fs::OpenOptions::new().write(true).open(dest)?;
                return Ok(Self::stream(Box::new(file)));
            }
        }
        let dir = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = dest
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().to_string());
        cleanup::sweep(&dir, &name);
        let (temp, file) = create_temp(&dir, &name)?;
        Ok(AtomicFile {
            sink: Some(Sink::Replace {
                file: BufWriter::with_capacity(1 << 16, file),
                temp,
                dest: dest.to_path_buf(),
                dir,
            }),
            syncer: None,
            unsynced: 0,
        })
    }

    /// Write to standard error (reject rows when the output itself goes to standard output).
    pub fn stderr() -> Self {
        Self::stream(Box::new(io::stderr()))
    }

    fn stream(to: Box<dyn Write + Send>) -> Self {
        AtomicFile {
            sink: Some(Sink::Stream(BufWriter::with_capacity(1 << 16, to))),
            syncer: None,
            unsynced: 0,
        }
    }

    /// The temporary file's path, when it has a name (for the tests).
    #[cfg(test)]
    pub fn temp_path(&self) -> Option<&Path> {
        match &self.sink {
            Some(Sink::Replace {
                temp: Temp::Named(p),
                ..
            }) => Some(p),
            _ => None,
        }
    }

    /// Append bytes.
    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.sink {
            None => Ok(()),
            Some(Sink::Stream(w)) => w.write_all(bytes),
            Some(Sink::Replace { file, .. }) => {
                file.write_all(bytes)?;
                self.unsynced += bytes.len() as u64;
                if self.unsynced >= SYNC_EVERY {
                    self.unsynced = 0;
                    if self.syncer.is_none() {
                        self.syncer = Syncer::start(file.get_ref());
                    }
                    if let Some(syncer) = &self.syncer {
                        syncer.ask();
                    }
                }
                Ok(())
            }
        }
    }

    /// Flush, sync and rename the new file over the destination (a stream is flushed). On
    /// error the destination is untouched and the temporary file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        let Some(sink) = self.sink.take() else {
            return Ok(());
        };
        let (writer, temp, dest, dir) = match sink {
            Sink::Stream(mut w) => return w.flush(),
            Sink::Replace {
                file,
                temp,
                dest,
                dir,
            } => (file, temp, dest, dir),
        };
        let mut named: Option<PathBuf> = None;
        let renamed = writer
            .into_inner()
            .map_err(io::IntoInnerError::into_error)
            .and_then(|file| {
                if let Some(syncer) = self.syncer.take() {
                    syncer.stop();
                }
                file.sync_all()?;
                let tmp = match temp {
                    Temp::Named(p) => p,
                    #[cfg(target_os = "linux")]
                    Temp::Unnamed { name } => {
                        cleanup::track(|| unnamed::link(&file, &dir, &name).map(|p| (p, ())))?.0
                    }
                };
                named = Some(tmp.clone());
                drop(file);
                fs::rename(&tmp, &dest)
            });
        if let Some(tmp) = &named {
            cleanup::forget(tmp);
        }
        if let Err(e) = renamed {
            // Best effort: the temporary file is ours and useless now.
            if let Some(tmp) = named {
                let _ = fs::remove_file(&tmp);
            }
            return Err(e);
        }
        // Make the rename itself durable where the platform allows syncing a directory.
        if let Ok(d) = File::open(&dir) {
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
        match self.sink.take() {
            Some(Sink::Replace {
                temp: Temp::Named(tmp),
                ..
            }) => {
                // Not committed (an error stopped the run): leave nothing behind.
                let _ = fs::remove_file(&tmp);
                cleanup::forget(&tmp);
            }
            Some(Sink::Stream(mut w)) => {
                let _ = w.flush();
            }
            // An unnamed file vanishes with its descriptor.
            _ => {}
        }
    }
}

/// Test-only: when this environment variable is set (to anything), new files are always
/// named `.NAME.PID.N.tmp`, as on systems without `O_TMPFILE`, so that the tests can check
/// the clean-up on Ctrl-C and the sweep of stale files on Linux too (tests/cli_fs.rs).
/// Not documented for users.
pub const NAMED_TEMPS_ENV: &str = "MESO_TEST_NAMED_TEMPS";

/// The new file for `dir/name`: unnamed where the platform allows it (Linux `O_TMPFILE`,
/// so that even a killed run leaves nothing behind), else `.NAME.PID.N.tmp`, removed on
/// Ctrl-C ([`cleanup`]).
fn create_temp(dir: &Path, name: &str) -> io::Result<(Temp, File)> {
    #[cfg(target_os = "linux")]
    if std::env::var_os(NAMED_TEMPS_ENV).is_none() {
        if let Some(file) = unnamed::create(dir) {
            let name = name.to_string();
            return Ok((Temp::Unnamed { name }, file));
        }
    }
    cleanup::track(|| create_named(dir, name)).map(|(p, f)| (Temp::Named(p), f))
}

/// The name of a temporary file of `name` made by process `pid`: `.NAME.PID.N.tmp`.
fn temp_name(name: &str, pid: u32, n: u32) -> String {
    format!(".{name}.{pid}.{n}.tmp")
}

/// The target's name and the process id in a temporary file's name (`.NAME.PID.N.tmp`),
/// if it is one.
fn temp_parts(file_name: &str) -> Option<(&str, u32)> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (rest, n) = rest.rsplit_once('.')?;
    let (name, pid) = rest.rsplit_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if name.is_empty() || !digits(n) || !digits(pid) {
        return None;
    }
    Some((name, pid.parse().ok()?))
}

/// A new, exclusively created hidden file `.NAME.PID.N.tmp` in `dir`.
fn create_named(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    let pid = std::process::id();
    let mut last = None;
    for n in 0..100u32 {
        let candidate = dir.join(temp_name(name, pid, n));
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

/// Linux: files created with no name (`O_TMPFILE`) and linked into their directory at the
/// commit.
#[cfg(target_os = "linux")]
mod unnamed {
    use std::ffi::CString;
    use std::fs::{File, OpenOptions};
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::OpenOptionsExt;
    use std::os::unix::io::AsRawFd;
    use std::path::{Path, PathBuf};

    /// An unnamed file in `dir`; `None` where the file system does not support it (the
    /// caller then names one).
    pub(super) fn create(dir: &Path) -> Option<File> {
        OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_TMPFILE)
            .mode(0o644)
            .open(dir)
            .ok()
    }

    /// Give `file` a name in `dir`: `.NAME.PID.N.tmp`, the first one free.
    pub(super) fn link(file: &File, dir: &Path, name: &str) -> io::Result<PathBuf> {
        let from = CString::new(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .map_err(io::Error::other)?;
        let pid = std::process::id();
        for n in 0..100u32 {
            let to = dir.join(super::temp_name(name, pid, n));
            let to_c = CString::new(to.as_os_str().as_bytes()).map_err(io::Error::other)?;
            // SAFETY: both are valid NUL-terminated paths that outlive the call; linkat
            // reads them and keeps no pointer.
            let done = unsafe {
                libc::linkat(
                    libc::AT_FDCWD,
                    from.as_ptr(),
                    libc::AT_FDCWD,
                    to_c.as_ptr(),
                    libc::AT_SYMLINK_FOLLOW,
                )
            };
            if done == 0 {
                return Ok(to);
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::AlreadyExists {
                return Err(err);
            }
        }
        Err(io::Error::other("cannot name the new file"))
    }
}

/// The named temporary files of this process, removed on Ctrl-C; and the sweep of those
/// that killed runs left behind.
mod cleanup {
    use std::fs;
    use std::io;
    use std::path::{Path, PathBuf};
    use std::sync::{Mutex, MutexGuard, Once, PoisonError};

    /// The named temporary files not yet renamed or removed.
    static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    /// Per folder read by this process: the stale temporary files found there that no
    /// file written since has swept yet, with the name of the file each was for. Each
    /// folder is read once, however many files are written into it (`--explain-dir`).
    #[expect(
        clippy::type_complexity,
        reason = "a list of folders, each with its files"
    )]
    static STALE: Mutex<Vec<(PathBuf, Vec<(String, PathBuf)>)>> = Mutex::new(Vec::new());
    static HANDLER: Once = Once::new();

    fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        m.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Create a named temporary file with `make` and remember it until [`forget`]: Ctrl-C
    /// or SIGTERM removes it. The list is locked while the file is made, so a signal
    /// arriving meanwhile waits and still finds it.
    pub(super) fn track<T>(
        make: impl FnOnce() -> io::Result<(PathBuf, T)>,
    ) -> io::Result<(PathBuf, T)> {
        install();
        let mut live = lock(&LIVE);
        let made = make()?;
        live.push(made.0.clone());
        Ok(made)
    }

    /// The files tracked now.
    #[cfg(test)]
    pub(super) fn live() -> Vec<PathBuf> {
        lock(&LIVE).clone()
    }

    /// `path` is renamed or removed: nothing to clean up any more.
    pub(super) fn forget(path: &Path) {
        lock(&LIVE).retain(|p| p != path);
    }

    /// Install, once, the handler that removes the files on Ctrl-C, SIGTERM or SIGHUP and
    /// exits with status 130. If another handler is installed already (a program embedding
    /// the library), it is left alone and the files are only removed on errors.
    fn install() {
        HANDLER.call_once(|| {
            let _ = ctrlc::set_handler(|| {
                // Held until the exit: no new file can appear meanwhile.
                let live = lock(&LIVE);
                for path in live.iter() {
                    let _ = fs::remove_file(path);
                }
                std::process::exit(130);
            });
        });
    }

    /// Before `dir/name` is written: remove the temporary files for it
    /// (`.NAME.PID.N.tmp`) that runs no longer alive left behind. Only this name's: a
    /// file of the same pattern for another name is not ours to judge. Best effort: what
    /// cannot be read or removed is left.
    pub(super) fn sweep(dir: &Path, name: &str) {
        let mut stale = lock(&STALE);
        let at = match stale.iter().position(|(d, _)| d == dir) {
            Some(at) => at,
            None => {
                stale.push((dir.to_path_buf(), stale_in(dir)));
                stale.len() - 1
            }
        };
        if let Some((_, files)) = stale.get_mut(at) {
            files.retain(|(for_name, path)| {
                if for_name != name {
                    return true;
                }
                let _ = fs::remove_file(path);
                false
            });
        }
    }

    /// The temporary files in `dir` whose process is no longer alive, with the name of
    /// the file each was for.
    fn stale_in(dir: &Path) -> Vec<(String, PathBuf)> {
        let Ok(entries) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let me = std::process::id();
        let mut found = Vec::new();
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            let Some((for_name, pid)) = file_name.to_str().and_then(super::temp_parts) else {
                continue;
            };
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && pid != me && !alive(pid) {
                found.push((for_name.to_string(), entry.path()));
            }
        }
        found
    }

    /// Whether process `pid` is alive (or cannot be told: then it is left alone).
    #[cfg(unix)]
    fn alive(pid: u32) -> bool {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        if pid <= 0 {
            return true;
        }
        // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
        let sent = unsafe { libc::kill(pid, 0) };
        sent == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }

    #[cfg(not(unix))]
    fn alive(_pid: u32) -> bool {
        true
    }
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
    /// temporary path, if it has a name, and the rows.
    fn written(dir: &Path) -> (AtomicFile, Option<PathBuf>, Vec<Vec<u8>>) {
        let mut file = AtomicFile::create(&dir.join("out.csv")).unwrap();
        let tmp = file.temp_path().map(Path::to_path_buf);
        let rows = rows();
        for row in &rows {
            file.write_all(row).unwrap();
        }
        (file, tmp, rows)
    }

    /// The names in `dir`.
    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        names
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
        assert!(tmp.is_none_or(|t| !t.exists()));
        assert_eq!(fs::read(&dest).unwrap(), rows.concat());
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[test]
    fn a_file_dropped_while_syncing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (file, _, _) = written(dir.path());
        drop(file);
        assert!(names(dir.path()).is_empty());
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_an_unfinished_file_has_no_name_so_a_killed_run_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (file, tmp, _) = written(dir.path());
        // Where the file system supports unnamed files (tmpfs, ext4, xfs, btrfs), nothing
        // is in the directory while the run goes on: SIGKILL now would leave nothing.
        if tmp.is_none() {
            assert!(names(dir.path()).is_empty());
        }
        file.commit().unwrap();
        assert_eq!(names(dir.path()), ["out.csv"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_in_place_and_never_renamed_over() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo keeps no pointer.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(&fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe\n").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe\n");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(names(dir.path()), ["pipe"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_symbolic_link_is_kept_and_the_file_it_points_to_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
        assert_eq!(names(dir.path()), ["link.csv", "real.csv"]);
    }

    #[test]
    fn standard_streams_by_any_name_are_streams() {
        for name in [
            "-",
            "/dev/stdout",
            "/dev/fd/1",
            "/proc/self/fd/1",
            "/dev/stderr",
        ] {
            let file = AtomicFile::create(Path::new(name)).unwrap();
            assert!(file.temp_path().is_none(), "{name}");
            assert!(matches!(file.sink, Some(Sink::Stream(_))), "{name}");
            file.commit().unwrap();
        }
    }

    #[test]
    fn a_dash_means_standard_output() {
        assert!(is_stdout(Path::new("-")));
        assert!(!is_stdout(Path::new("./-")));
        let file = AtomicFile::create(Path::new("-")).unwrap();
        assert!(file.temp_path().is_none());
        file.commit().unwrap();
    }

    #[test]
    fn temporary_names_carry_the_process_id() {
        let name = temp_name("out.csv", 4242, 0);
        assert_eq!(temp_parts(&name), Some(("out.csv", 4242)));
        assert_eq!(
            temp_parts(".out.csv.rejects.csv.17.3.tmp"),
            Some(("out.csv.rejects.csv", 17))
        );
        for other in [
            "out.csv",
            ".out.csv.tmp",
            ".out.csv.x.0.tmp",
            ".out.csv.12..tmp",
            "..12.0.tmp",
            "out.csv.12.0.tmp",
        ] {
            assert_eq!(temp_parts(other), None, "{other}");
        }
    }

    /// The id of a process that has ended.
    #[cfg(unix)]
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[cfg(unix)]
    #[test]
    fn stale_temporaries_of_dead_processes_are_swept_before_writing() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(temp_name("out.csv", dead_pid(), 0));
        let live = dir
            .path()
            .join(temp_name("out.csv", std::process::id(), 99));
        let init = dir.path().join(temp_name("out.csv", 1, 0));
        let other = dir.path().join(temp_name("b.csv", dead_pid(), 0));
        let unrelated = dir.path().join(".notes.tmp");
        for f in [&dead, &live, &init, &other, &unrelated] {
            fs::write(f, "x").unwrap();
        }
        write_atomic(&dir.path().join("out.csv"), b"new").unwrap();
        assert!(!dead.exists(), "the dead run's file is swept");
        assert!(live.exists(), "a live process's file is kept");
        assert!(init.exists(), "a live process's file is kept");
        assert!(other.exists(), "another name's file waits for that name");
        assert!(unrelated.exists(), "other files are kept");
        assert_eq!(
            fs::read_to_string(dir.path().join("out.csv")).unwrap(),
            "new"
        );
        // The folder was read once; writing `b.csv` now sweeps the one left for it.
        write_atomic(&dir.path().join("b.csv"), b"b").unwrap();
        assert!(!other.exists(), "swept when its name is written");
        assert!(unrelated.exists() && live.exists() && init.exists());
    }

    #[test]
    fn named_temporaries_are_tracked_until_committed_or_dropped() {
        let dir = tempfile::tempdir().unwrap();
        for commit in [true, false] {
            let (path, file) = cleanup::track(|| create_named(dir.path(), "a.csv")).unwrap();
            assert!(cleanup::live().contains(&path));
            let file = AtomicFile {
                sink: Some(Sink::Replace {
                    file: BufWriter::new(file),
                    temp: Temp::Named(path.clone()),
                    dest: dir.path().join("a.csv"),
                    dir: dir.path().to_path_buf(),
                }),
                syncer: None,
                unsynced: 0,
            };
            if commit {
                file.commit().unwrap();
            } else {
                drop(file);
            }
            assert!(!cleanup::live().contains(&path), "commit: {commit}");
            assert!(!path.exists());
        }
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        // A non-empty directory at the destination: the rename fails.
        let dest = dir.path().join("out.csv");
        fs::create_dir(&dest).unwrap();
        fs::write(dest.join("keep"), "x").unwrap();
        let mut file = AtomicFile::create(&dest).unwrap();
        file.write_all(b"row\n").unwrap();
        assert!(file.commit().is_err());
        assert_eq!(names(dir.path()), ["out.csv"], "no temporary file is left");
        assert!(dest.join("keep").exists());
    }
}
