//! Splitting one large product over the threads the page has. Only the big products are split
//! (`panel`'s and `block_linear`'s linear layers, `attention`); every other operation
//! stays on the calling thread, because a decoder token is a few hundred short products and
//! waking a sleeping wasm thread costs about as much as one. So in the threaded wasm build the
//! helpers are our own: Web Workers sharing the module's memory that spin briefly between
//! products (catching the next one at once) and then sleep on an atomic wait, instead of a
//! general rayon pool whose workers sleep between jobs and which candle would also hand its
//! tiny operations (docs/performance.md has the timings behind this).
//!
//! Natively the parts run on rayon's pool, so the tests exercise the same splitting; in the
//! single-threaded wasm build they run one after another on the calling thread.

use std::marker::PhantomData;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `work` over contiguous parts of `0..n`, each at least `grain` long, on every thread
/// there is, and returns once all have run. Parts are disjoint, so each may write its own
/// outputs. Threads take parts from a shared counter, a few per thread, so one that starts late
/// (a helper waking up, a core busy with the page) simply takes fewer.
pub fn for_each_part(n: usize, grain: usize, work: &(dyn Fn(Range<usize>) + Sync)) {
    let threads = threads();
    let parts = (n / grain.max(1)).min(threads * PARTS_PER_THREAD).max(1);
    if threads == 1 || parts == 1 {
        work(0..n);
        return;
    }
    // Work worth splitting is split evenly: 3 parts on 2 threads would leave one thread twice
    // the work of the other.
    let parts = parts.next_multiple_of(threads).min(n);
    let next = AtomicUsize::new(0);
    let take_parts = || loop {
        let part = next.fetch_add(1, Ordering::Relaxed);
        if part >= parts {
            break;
        }
        work(n * part / parts..n * (part + 1) / parts);
    };
    run_on_threads(&take_parts);
}

/// `value(row, token)` into `out[token · rows + row]` for every token and row below `rows`,
/// the rows split over the threads in parts of at least `grain`: a product of a few tokens
/// with a matrix, one dot product per row and token.
pub fn fill_rows(
    out: &mut [f32],
    rows: usize,
    grain: usize,
    value: impl Fn(usize, usize) -> f32 + Sync,
) {
    let tokens = out.len() / rows.max(1);
    let writes = PartsWrite::new(out);
    for_each_part(rows, grain, &|part| {
        for token in 0..tokens {
            let start = token * rows;
            // SAFETY: rows `part` of every token belong to this part alone.
            let slots = unsafe { writes.range(start + part.start..start + part.end) };
            for (row, slot) in part.clone().zip(slots) {
                *slot = value(row, token);
            }
        }
    });
}

/// Parts per thread: enough to even out a late start, few enough to keep each part long.
const PARTS_PER_THREAD: usize = 32;

/// A slice the parts of one `for_each_part` write to, each at indices no other part touches
/// (output columns of a product are interleaved in memory, so they cannot be split as chunks).
pub struct PartsWrite<'a, T> {
    start: *mut T,
    len: usize,
    _borrow: PhantomData<&'a mut [T]>,
}

// SAFETY: parts only reach the elements through `range`, whose contract keeps them disjoint.
unsafe impl<T: Send> Sync for PartsWrite<'_, T> {}
unsafe impl<T: Send> Send for PartsWrite<'_, T> {}

impl<'a, T> PartsWrite<'a, T> {
    pub fn new(slice: &'a mut [T]) -> Self {
        Self {
            start: slice.as_mut_ptr(),
            len: slice.len(),
            _borrow: PhantomData,
        }
    }

    /// The elements in `range`.
    ///
    /// # Safety
    /// No other part may touch `range` while the returned slice lives.
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn range(&self, range: Range<usize>) -> &mut [T] {
        assert!(range.start <= range.end && range.end <= self.len);
        // SAFETY: in bounds (asserted); exclusive by the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(self.start.add(range.start), range.len()) }
    }
}

/// Threads a product may be split over: the calling thread and its helpers.
pub fn threads() -> usize {
    imp::threads()
}

/// Natively: rayon's pool.
#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn threads() -> usize {
        rayon::current_num_threads()
    }

    pub fn run_on_threads(participant: &(dyn Fn() + Sync)) {
        rayon::broadcast(|_| participant());
    }
}

/// The plain wasm build: the calling thread alone.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod imp {
    pub fn threads() -> usize {
        1
    }

    pub fn run_on_threads(participant: &(dyn Fn() + Sync)) {
        participant();
    }
}

// `run_on_threads(participant)` runs it on this thread and on the other threads, which share
// its work through its own counter, and returns once every call has returned.
use imp::run_on_threads;
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub use imp::{abandon, open, serve};

/// The helpers of the threaded wasm build. One job at a time: the caller publishes it in `JOB`
/// and bumps `GENERATION`; a helper that sees the bump takes the job (counting itself in
/// `ACTIVE` under the lock) and joins in; the caller does its share, withdraws the job, and
/// waits only for helpers still inside it, so a helper that wakes late costs nothing and
/// `participant` outlives every use of it.
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod imp {
    use core::arch::wasm32::{memory_atomic_notify, memory_atomic_wait32};
    use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
    use std::sync::Mutex;

    /// Polls before a helper sleeps (around a millisecond): longer than the gaps between the
    /// products of one sentence or token, far shorter than a pause between requests.
    const SPINS_BEFORE_SLEEP: u32 = 1_000_000;

    static HELPERS: AtomicUsize = AtomicUsize::new(0);
    static GENERATION: AtomicU32 = AtomicU32::new(0);
    static ACTIVE: AtomicUsize = AtomicUsize::new(0);
    static BUSY: AtomicBool = AtomicBool::new(false);
    static FAILED: AtomicBool = AtomicBool::new(false);
    static JOB: Mutex<Option<Job>> = Mutex::new(None);

    /// The current job, its lifetime erased: the caller withdraws it and waits for `ACTIVE`.
    #[derive(Clone, Copy)]
    struct Job(*const (dyn Fn() + Sync + 'static));
    // SAFETY: the pointee is Sync and outlives every helper's use of it (see `run_on_threads`).
    unsafe impl Send for Job {}

    fn job() -> std::sync::MutexGuard<'static, Option<Job>> {
        JOB.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn threads() -> usize {
        HELPERS.load(Ordering::Acquire) + 1
    }

    /// Lets products use `helpers` helpers, once all of them are inside `serve`.
    pub fn open(helpers: usize) {
        HELPERS.store(helpers, Ordering::Release);
    }

    /// Called by a panicking thread: a caller waiting for helpers stops waiting and panics too,
    /// so the worker reports a crash instead of hanging.
    pub fn abandon() {
        FAILED.store(true, Ordering::Release);
    }

    /// A helper's whole life: join every job it sees. Never returns.
    pub fn serve() -> ! {
        let mut seen = 0;
        loop {
            let mut spins = 0;
            while GENERATION.load(Ordering::Acquire) == seen {
                if spins < SPINS_BEFORE_SLEEP {
                    spins += 1;
                    core::hint::spin_loop();
                } else {
                    // SAFETY: GENERATION is a live, aligned 32-bit atomic in shared memory.
                    unsafe {
                        memory_atomic_wait32(GENERATION.as_ptr() as *mut i32, seen as i32, -1)
                    };
                }
            }
            seen = GENERATION.load(Ordering::Acquire);
            let taken = job().inspect(|_| {
                ACTIVE.fetch_add(1, Ordering::AcqRel);
            });
            if let Some(Job(participant)) = taken {
                // SAFETY: the caller keeps it alive while ACTIVE counts this helper.
                unsafe { (*participant)() };
                ACTIVE.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    pub fn run_on_threads(participant: &(dyn Fn() + Sync)) {
        // Without helpers, or nested in a product, the caller does all the work itself.
        if HELPERS.load(Ordering::Acquire) == 0 || BUSY.swap(true, Ordering::AcqRel) {
            participant();
            return;
        }
        // SAFETY: only the lifetime is changed; no helper uses it after the wait below.
        let erased: &'static (dyn Fn() + Sync) = unsafe { std::mem::transmute(participant) };
        *job() = Some(Job(erased));
        GENERATION.fetch_add(1, Ordering::AcqRel);
        // SAFETY: as in `serve`.
        unsafe { memory_atomic_notify(GENERATION.as_ptr() as *mut i32, u32::MAX) };
        participant();
        *job() = None;
        while ACTIVE.load(Ordering::Acquire) > 0 {
            if FAILED.load(Ordering::Acquire) {
                panic!("a helper thread failed during a product");
            }
            core::hint::spin_loop();
        }
        BUSY.store(false, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn parts_cover_the_range_once_and_respect_the_grain() {
        for (n, grain) in [(0, 1), (1, 1), (7, 1), (48, 4), (192, 4), (5, 8)] {
            let seen = Mutex::new(Vec::new());
            for_each_part(n, grain, &|range| {
                assert!(range.len() >= grain.min(n), "{range:?} for grain {grain}");
                seen.lock().unwrap().extend(range);
            });
            let mut seen = seen.into_inner().unwrap();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
    }
}
