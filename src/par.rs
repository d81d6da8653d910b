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

/// `f(0)`, …, `f(threads - 1)`, in that order, each on a thread of its own but the first. A
/// thread that cannot be started (or that failed) leaves its call to the calling thread.
pub fn on_threads<T: Send>(threads: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads)
            .map(|t| {
                let h = std::thread::Builder::new().spawn_scoped(scope, move || f(t));
                (t, h.ok())
            })
            .collect();
        let mut out = vec![f(0)];
        for (t, h) in handles {
            out.push(match h.map(|h| h.join()) {
                Some(Ok(v)) => v,
                _ => f(t),
            });
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_share_once_in_order() {
        for threads in [1, 2, 5] {
            let out = super::on_threads(threads, |t| t * 10);
            assert_eq!(out, (0..threads).map(|t| t * 10).collect::<Vec<_>>());
        }
        assert!((1..=8).contains(&super::cores()));
    }
}
