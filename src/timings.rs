//! Phase timings for profiling whole runs: with `FSX_GUARD_TIMINGS` set, each phase prints its
//! wall time and the process's peak resident memory so far to stderr. Off, a mark costs one
//! relaxed load.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

/// 0: not looked yet, 1: off, 2: on.
static STATE: AtomicU8 = AtomicU8::new(0);
static LAST: Mutex<Option<Instant>> = Mutex::new(None);

fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var_os("FSX_GUARD_TIMINGS").is_some_and(|v| !v.is_empty());
            STATE.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
        state => state == 2,
    }
}

/// Peak resident memory so far (Linux `VmHWM`), in MiB.
fn peak_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// Ends a phase named `phase`: prints the time since the previous mark. From the main thread
/// only: `run` holds stderr's lock for the whole command, so a helper thread that printed here
/// would wait for it forever while the main thread waits to join it.
pub fn mark(phase: impl std::fmt::Display) {
    if !enabled() {
        return;
    }
    let now = Instant::now();
    let Ok(mut last) = LAST.lock() else { return };
    let elapsed = last.map_or(0.0, |t| now.duration_since(t).as_secs_f64() * 1000.0);
    *last = Some(now);
    let peak = peak_mib().map_or_else(String::new, |m| format!(", peak {m} MiB"));
    eprintln!("timing: {:<28} {elapsed:>9.1} ms{peak}", phase.to_string());
}
