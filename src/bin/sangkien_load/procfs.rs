//! What `/proc` says about the server, PostgreSQL, this process and the machine.

use std::collections::HashMap;

/// Clock ticks per second of `/proc/*/stat` (100 on Linux).
const TICKS: f64 = 100.0;

/// A field of `/proc/PID/status` in KiB (`VmRSS:`, `VmHWM:`, `RssAnon:`, `RssFile:`).
pub fn status_kib(pid: &str, key: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
}

/// The command name and CPU seconds (user + system) of a process.
fn stat(pid: &str) -> Option<(String, f64)> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, rest) = s.rsplit_once(')')?;
    let comm = head.split_once('(')?.1.to_owned();
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some((comm, ticks as f64 / TICKS))
}

/// CPU seconds a process has used (user + system).
pub fn cpu_s(pid: &str) -> Option<f64> {
    stat(pid).map(|(_, s)| s)
}

/// CPU seconds used by every process named `postgres`, by pid.
pub fn postgres_cpu() -> HashMap<u32, f64> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return HashMap::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| match stat(&pid.to_string()) {
            Some((comm, s)) if comm == "postgres" => Some((pid, s)),
            _ => None,
        })
        .collect()
}

/// CPU seconds PostgreSQL used between two readings (processes that started in between count
/// in full; those that ended are lost, which undercounts short-lived connections only).
pub fn postgres_delta(before: &HashMap<u32, f64>, after: &HashMap<u32, f64>) -> f64 {
    after
        .iter()
        .map(|(pid, s)| s - before.get(pid).copied().unwrap_or(0.0))
        .filter(|d| *d > 0.0)
        .fold(0.0, |a, d| a + d)
}

/// The machine's CPU time from `/proc/stat`: (busy seconds, total seconds) over all cores.
pub fn machine() -> Option<(f64, f64)> {
    let s = std::fs::read_to_string("/proc/stat").ok()?;
    let line = s.lines().next()?;
    let v: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|x| x.parse().ok())
        .collect();
    let total: u64 = v.iter().take(8).sum();
    // idle and iowait
    let idle = v.get(3)? + v.get(4).copied().unwrap_or(0);
    Some(((total - idle) as f64 / TICKS, total as f64 / TICKS))
}
