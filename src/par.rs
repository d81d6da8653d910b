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

/// `f(0)`, …, `f(threads - 1)`, shared out on the kept threads (see [`pool`]); the results in
/// that order.
pub fn on_threads<T: Send>(threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    use rayon::prelude::*;
    match pool() {
        Some(pool) if threads > 1 => {
            pool.install(|| (0..threads).into_par_iter().map(&f).collect())
        }
        _ => (0..threads).map(f).collect(),
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
        for threads in [1, 2, 5] {
            let out = super::on_threads(threads, |t| t * 10);
            assert_eq!(out, (0..threads).map(|t| t * 10).collect::<Vec<_>>());
        }
        assert_eq!(super::join(|| 1, || "two"), (1, "two"));
        assert!((1..=8).contains(&super::cores()));
    }
}
