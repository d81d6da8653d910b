//! How many threads CPU-bound work is shared between, and sharing it out in order.

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

/// Shares to cut work into for each thread: enough that a thread running slower (its core
/// shared with another program) takes fewer, few enough that each is worth handing out.
pub const SHARES_PER_THREAD: usize = 4;

/// `f(0)`, …, `f(shares - 1)` on rayon's threads, the results in that order.
///
/// (The project had its own version of this, where the calling thread took shares too; a
/// criterion run of the work `flag` shares out found rayon as fast: docs/performance.md.)
pub fn ordered<T: Send>(shares: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    use rayon::prelude::*;
    (0..shares).into_par_iter().map(f).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_share_once_in_order() {
        for shares in [0, 1, 2, 5, 64] {
            let out = super::ordered(shares, |t| t * 10);
            assert_eq!(out, (0..shares).map(|t| t * 10).collect::<Vec<_>>());
        }
        assert!((1..=8).contains(&super::cores()));
    }
}
