//! The dataset pipeline (`meso batch`, `meso diff`): read pieces, process them on worker
//! threads, hand results over in input order.
//!
//! Input: a [`Reader`] and a per-piece work function. Output: the work function's results,
//! one per piece, passed to a sink in input order. With one thread everything runs on the
//! calling thread. With more, one thread reads and cuts the input into pieces, `threads`
//! workers take the next piece as soon as they are free (no thread waits for a slow
//! piece of another), and the calling thread puts the results back in order and writes
//! them. Bounded channels keep a few pieces in memory whatever the input size.

use std::collections::BTreeMap;
use std::sync::{mpsc, Arc, Mutex, PoisonError};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::error::DatasetError;
use super::input::{Piece, Reader};

/// Pieces waiting for a worker, per worker.
const QUEUED_PER_WORKER: usize = 2;

/// How many threads to use: `requested`, or every core when 0.
pub(crate) fn thread_count(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    }
}

/// A progress bar on stderr that shows itself only after a second, and only when asked
/// (the CLI asks when stderr is a terminal).
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    start: std::time::Instant,
    shown: bool,
}

impl Progress {
    /// A bar over `total` bytes (0: unknown, as for standard input: then only the bytes
    /// read are shown, never a total they would overrun); `enabled` false gives a bar that
    /// never draws.
    pub fn new(enabled: bool, total: u64) -> Self {
        let bar = enabled.then(|| {
            let (length, template) = if total > 0 {
                (
                    Some(total),
                    "{spinner} {bytes}/{total_bytes} [{bar:30}] {percent}% {elapsed} eta {eta}",
                )
            } else {
                (None, "{spinner} {bytes} read {elapsed}")
            };
            let bar = ProgressBar::with_draw_target(length, ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Progress {
            bar,
            start: std::time::Instant::now(),
            shown: false,
        }
    }

    /// Report bytes read so far.
    pub fn set(&mut self, position: u64) {
        let Some(bar) = &self.bar else { return };
        if !self.shown && self.start.elapsed().as_millis() >= 1000 {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        bar.set_position(position);
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Read every record and process it: `work` turns a piece of input into a result, with a
/// per-thread state made by `init`; `sink` receives the results in input order. The first
/// error (reading, working or sinking) stops the run and is returned.
pub(crate) fn run<S, R, I, W, K>(
    mut reader: Reader,
    threads: usize,
    progress: &mut Progress,
    init: I,
    work: W,
    mut sink: K,
) -> Result<(), DatasetError>
where
    I: Fn() -> S + Sync,
    W: Fn(&mut S, &Piece) -> Result<R, DatasetError> + Sync,
    R: Send,
    K: FnMut(R) -> Result<(), DatasetError>,
{
    let pool = reader.pool();
    if threads <= 1 {
        let mut state = init();
        while let Some(piece) = reader.next_piece()? {
            let result = work(&mut state, &piece);
            piece.recycle(&pool);
            sink(result?)?;
            progress.set(reader.position());
        }
        return Ok(());
    }
    type Done<R> = (u64, Result<R, DatasetError>, u64);
    std::thread::scope(|scope| {
        let (piece_tx, piece_rx) =
            mpsc::sync_channel::<(u64, Piece, u64)>(threads * QUEUED_PER_WORKER);
        let piece_rx = Arc::new(Mutex::new(piece_rx));
        let (done_tx, done_rx) = mpsc::sync_channel::<Done<R>>(threads * QUEUED_PER_WORKER * 2);

        // The reader: a read error is delivered in order, after every piece before it.
        let reader_done = done_tx.clone();
        scope.spawn(move || {
            let mut seq = 0u64;
            loop {
                match reader.next_piece() {
                    Ok(Some(piece)) => {
                        // A closed channel means the workers stopped: stop reading.
                        if piece_tx.send((seq, piece, reader.position())).is_err() {
                            break;
                        }
                        seq += 1;
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = reader_done.send((seq, Err(e), reader.position()));
                        break;
                    }
                }
            }
        });

        // The workers: each takes the next piece when it is free. When the writer stops,
        // sending fails and they stop; when they all have, the reader's sends fail too.
        for _ in 0..threads {
            let pieces = Arc::clone(&piece_rx);
            let done = done_tx.clone();
            let (init, work, pool) = (&init, &work, &pool);
            scope.spawn(move || {
                let mut state = init();
                loop {
                    let next = pieces.lock().unwrap_or_else(PoisonError::into_inner).recv();
                    let Ok((seq, piece, position)) = next else {
                        break;
                    };
                    let result = work(&mut state, &piece);
                    piece.recycle(pool);
                    if done.send((seq, result, position)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(piece_rx);
        drop(done_tx);

        // The writer (this thread): results back in input order.
        let mut waiting: BTreeMap<u64, (Result<R, DatasetError>, u64)> = BTreeMap::new();
        let mut next = 0u64;
        for (seq, result, position) in done_rx.iter() {
            waiting.insert(seq, (result, position));
            while let Some((result, position)) = waiting.remove(&next) {
                sink(result?)?;
                progress.set(position);
                next += 1;
            }
        }
        Ok(())
    })
}
