//! The `sangkien` binary: parse the command line and run it.

use std::process::ExitCode;

fn main() -> ExitCode {
    match sangkien::cli::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lỗi: {e:#}");
            ExitCode::FAILURE
        }
    }
}
