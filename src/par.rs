//! Work shared out between threads: how many, and running one function on each.

/// Threads to share CPU-bound work between: one a core, up to 8. Asked of the system once (it
/// reads cgroup files each time: a few system calls).
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8)
    })
}

/// The threads CPU-bound work is shared out on: one a core, started once and kept (None when
/// they could not be started: the work then runs on the calling thread).
///
/// Kept threads rather than a thread started for each piece of work: the scheduler places a new
/// thread by how busy each core has been over the last tens of milliseconds, and right after a
/// read that often put it on the calling thread's core while the other stood idle (`perf`: the
/// first rows and the output of `flag` ran on one core for 20–40 ms); a waiting thread that is
/// woken goes to an idle core.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(cores())
            .thread_name(|i| format!("alpr-work-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// Shares to cut work into for each thread, for [`on_threads`]: enough that a thread running
/// slower takes fewer, few enough that each is worth handing out.
pub const SHARES_PER_THREAD: usize = 4;

/// `f(0)`, …, `f(shares - 1)`, the results in that order. The calling thread and the kept
/// threads (see [`pool`]; one a core) take the shares in turn, each the next one not taken.
///
/// The calling thread takes shares rather than wait: it is running already, where a kept
/// thread has to be woken, which on this project's 2-core VM took up to 4 ms (work handed whole
/// to the pool waited for one kept thread to wake, then for a second, and the first often did
/// both halves before the second woke). And with more shares than threads, a thread that runs
/// slower (its core shared with another program) takes fewer of them: with one share a thread,
/// the other thread sat idle for up to half of the time.
pub fn on_threads<T: Send>(shares: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Mutex, PoisonError};
    match pool() {
        Some(pool) if shares > 1 => {
            let done: Vec<Mutex<Option<T>>> = (0..shares).map(|_| Mutex::new(None)).collect();
            let next = AtomicUsize::new(0);
            let work = || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slot) = done.get(i) else { break };
                    let out = f(i);
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(out);
                }
            };
            pool.in_place_scope(|s| {
                for _ in 1..cores().min(shares) {
                    s.spawn(|_| work());
                }
                work();
            });
            // Every share ran: a panic in one would have come through the scope.
            done.into_iter()
                .filter_map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
                .collect()
        }
        _ => (0..shares).map(f).collect(),
    }
}

/// `a()` and `b()`, on two of the kept threads when there are.
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    match pool() {
        Some(pool) if cores() > 1 => pool.join(a, b),
        _ => (a(), b()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_share_once_in_order() {
        for shares in [0, 1, 2, 5, 64] {
            let out = super::on_threads(shares, |t| t * 10);
            assert_eq!(out, (0..shares).map(|t| t * 10).collect::<Vec<_>>());
        }
        assert_eq!(super::join(|| 1, || "two"), (1, "two"));
        assert!((1..=8).contains(&super::cores()));
    }
}
