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

/// `f(0)`, …, `f(shares - 1)`, the results in that order. The calling thread and rayon's
/// threads take the shares in turn, each the next one not taken.
///
/// Rather than `(0..shares).into_par_iter().map(f).collect()`, where the calling thread waits
/// while rayon's threads wake: after a stretch of reading they are asleep, and on this project's
/// 2-core VM waking them took up to milliseconds a round. The calling thread is running already,
/// so it starts on the first share at once. With more shares than threads, a thread running
/// slower (its core shared with another program) takes fewer of them. The criterion bench
/// `ordered_rounds` (bench/benches/bespoke.rs) measures the pattern `flag --all` runs: this is
/// about 20% faster there (docs/performance.md), and `flag --all` on 1M rows 0.3–0.5 s faster.
pub fn ordered<T: Send>(shares: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Mutex, PoisonError};
    if shares <= 1 || cores() == 1 {
        return (0..shares).map(f).collect();
    }
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
    rayon::in_place_scope(|s| {
        for _ in 1..cores().min(shares) {
            s.spawn(|_| work());
        }
        work();
    });
    done.into_iter()
        .filter_map(|m| m.into_inner().unwrap_or_else(PoisonError::into_inner))
        .collect()
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
