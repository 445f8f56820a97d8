//! `sangkien-load`: deadline-day load against a running server (issue 10).
//!
//! Two steps:
//!
//! - `seed` prepares a database for load (migrations, a union tree of the 34 provinces as they
//!   stand since 1 July 2025, member, reviewer and officer accounts with one known password,
//!   an open program whose phase closes tomorrow, N stored initiatives in realistic statuses, the counts rebuilt and the search
//!   index rebuilt in `DIR/index`), and writes the logins to `DIR/load-accounts.json`;
//! - `run` signs those accounts in on a running server and plays a mix (members drafting,
//!   checking similar and submitting; reviewers working queues; officers opening dashboards;
//!   the public searching the gallery) from C clients for S seconds, or offered at a rate, and
//!   writes a JSON and a Markdown report: throughput and p50/p95/p99/max per operation, errors
//!   by status, how long a submission takes to be found by the duplicate check (index lag),
//!   and the server's memory and CPU. Several instances of one deployment (`--base-url
//!   URL1,URL2`) are taken in turn, as a load balancer would.
//!
//! ```sh
//! sangkien-load seed --database-url postgres://postgres@127.0.0.1:5432/sk_load_bench \
//!     --data-dir /tmp/sk-load --initiatives 1000000
//! SANGKIEN__DATABASE__URL=postgres://postgres@127.0.0.1:5432/sk_load_bench \
//!     SANGKIEN__DATA__DIR=/tmp/sk-load sangkien serve --bind 127.0.0.1:8088 &
//! sangkien-load run --base-url http://127.0.0.1:8088 --accounts /tmp/sk-load/load-accounts.json \
//!     --mix submit --clients 32 --seconds 60 --report-json submit.json --report-md submit.md
//! ```

#[path = "sangkien_load/accounts.rs"]
mod accounts;
#[path = "sangkien_load/client.rs"]
mod client;
#[path = "sangkien_load/procfs.rs"]
mod procfs;
#[path = "sangkien_load/provinces.rs"]
mod provinces;
#[path = "sangkien_load/report.rs"]
mod report;
#[path = "sangkien_load/run.rs"]
mod run;
#[path = "sangkien_load/seed.rs"]
mod seed;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The load generator's own allocator is the server's (see `src/main.rs`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Deadline-day load for Sáng kiến: seed a database, then play mixes against a running server.
#[derive(Debug, Parser)]
#[command(name = "sangkien-load", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Prepare a fresh database and data folder for load.
    Seed(seed::SeedArgs),
    /// Sign the accounts in and play a mix against a running server.
    Run(run::RunArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Seed(args) => seed::seed(&args),
        Command::Run(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(args.threads)
                .enable_all()
                .build()?;
            runtime.block_on(run::run(args))
        }
    }
}

/// Where the accounts file of a data folder lives.
fn accounts_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("load-accounts.json")
}
