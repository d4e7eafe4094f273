//! What the in-process benchmarks share: timing a closure over runs, medians and p99s, and how
//! figures are printed. Each benchmark includes it (`#[path]`) and uses part of it.
#![allow(dead_code, reason = "each benchmark uses part of these")]

use std::time::{Duration, Instant};

/// `runs` timings of `f`, after one untimed call that warms caches (statements, pages, keys).
pub fn timings(runs: usize, mut f: impl FnMut()) -> Vec<Duration> {
    f();
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect()
}

/// Prints `what: median …, p99 …`.
pub fn report(what: &str, xs: &[Duration]) {
    let mut sorted = xs.to_vec();
    sorted.sort();
    let p99 = sorted[(sorted.len() * 99).div_ceil(100) - 1];
    println!(
        "{what}: median {}, p99 {}",
        ms(median(&mut sorted)),
        ms(p99)
    );
}

pub fn median(xs: &mut [Duration]) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// `12345` as `12,345`.
pub fn thousands(x: usize) -> String {
    let s = x.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
