//! The `sangkien` binary: parse the command line and run it.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: many short-lived allocations on every request
/// (rows, JSON, index documents) from many threads, where glibc's arenas spend time in locks
/// and in returning memory to the kernel.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match sangkien::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}
