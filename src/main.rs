//! The `pgdrift` binary: parse arguments, run, and decide the exit code — 0 no violations,
//! 1 policy violated, 2 could not finish.

use clap::Parser;

use pgdrift::cli::{self, Cli};
use pgdrift::evaluate::Status;
use pgdrift::stderrln;

fn main() {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            stderrln!("pgdrift: cannot start the async runtime: {e}");
            std::process::exit(2);
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = cli::run(cli) => result,
            signal = interrupted() => Err(cli::RunError(format!("interrupted by {signal}"))),
        }
    });
    // Dropping the runtime lets every cleanup (throwaway servers, temp files) finish first.
    drop(runtime);
    let code = match result {
        Ok(Status::Clean) => 0,
        Ok(Status::Violations) => 1,
        Ok(Status::Incomplete) => 2,
        Err(e) => {
            // Errors quote server messages and names: escape sequences in them are shown, not
            // obeyed.
            stderrln!(
                "pgdrift: {}",
                pgdrift::report::visible_block(&e.to_string())
            );
            2
        }
    };
    std::process::exit(code);
}

/// Resolves on Ctrl-C or SIGTERM (how CI systems cancel a job).
async fn interrupted() -> &'static str {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return "Ctrl-C";
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => "Ctrl-C",
        _ = term.recv() => "SIGTERM",
    }
}
