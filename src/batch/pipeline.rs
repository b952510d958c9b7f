//! The batch pipeline: read chunks, process them on worker threads, hand results over in
//! input order.
//!
//! Input: a [`Reader`] and a per-slice work function. Output: the work function's results,
//! one per slice of a chunk, passed to a sink in input order. With one thread everything
//! runs on the calling thread; with more, a reader thread reads the next chunk while a
//! rayon pool processes the current one. Memory holds at most a few chunks.

use std::sync::mpsc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use super::error::BatchError;
use super::input::{RawRecord, Reader};

/// Records per chunk.
pub(crate) const CHUNK: usize = 8192;

/// Chunks read ahead of the one being processed.
const READ_AHEAD: usize = 2;

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
    /// A bar over `total` bytes; `enabled` false gives a bar that never draws.
    pub fn new(enabled: bool, total: u64) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} [{bar:30}] {percent}% {elapsed} eta {eta}",
            ) {
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

/// Read every record and process it: `work` turns a slice of records into a result,
/// with a per-thread state made by `init`; `sink` receives the results in input order.
pub(crate) fn run<S, R, I, W, K>(
    mut reader: Reader,
    threads: usize,
    progress: &mut Progress,
    init: I,
    work: W,
    mut sink: K,
) -> Result<(), BatchError>
where
    I: Fn() -> S + Sync + Send,
    W: Fn(&mut S, &[RawRecord]) -> R + Sync + Send,
    R: Send,
    K: FnMut(R) -> Result<(), BatchError>,
{
    if threads <= 1 {
        let mut state = init();
        while let Some(chunk) = reader.next_chunk(CHUNK)? {
            sink(work(&mut state, &chunk))?;
            progress.set(reader.position());
        }
        return Ok(());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| BatchError::BadOption {
            message: format!("cannot start {threads} threads: {e}"),
            help: Some("pass a smaller `--threads`".into()),
        })?;
    // Small slices keep every thread busy; large ones keep per-slice costs low.
    let slice = (CHUNK / (threads * 4)).max(64);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Result<(Vec<RawRecord>, u64), BatchError>>(READ_AHEAD);
        scope.spawn(move || loop {
            let next = reader
                .next_chunk(CHUNK)
                .map(|c| c.map(|c| (c, reader.position())));
            let message = match next {
                Ok(Some(chunk)) => Ok(chunk),
                Ok(None) => break,
                Err(e) => Err(e),
            };
            let failed = message.is_err();
            // A closed channel means the writer stopped: stop reading.
            if tx.send(message).is_err() || failed {
                break;
            }
        });
        for message in rx {
            let (chunk, position) = message?;
            let results: Vec<R> = pool.install(|| {
                chunk
                    .par_chunks(slice)
                    .map_init(&init, |state, records| work(state, records))
                    .collect()
            });
            for r in results {
                sink(r)?;
            }
            progress.set(position);
        }
        Ok(())
    })
}
