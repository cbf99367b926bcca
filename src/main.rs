//! The `pgdrift` binary: parse arguments, run, and decide the exit code — 0 no violations,
//! 1 policy violated, 2 could not finish.

use std::time::Duration;

use clap::Parser;
use tokio::signal::unix::{SignalKind, signal};

use pgdrift::cli::{self, Cli};
use pgdrift::evaluate::Status;
use pgdrift::interrupt;
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
        let mut run = Box::pin(cli::run(cli));
        let result = loop {
            tokio::select! {
                result = &mut run => break result,
                signal = interrupted() => {
                    // A run past its reads is told, and writes its reports marked incomplete;
                    // any other run, or a second signal, is dropped here.
                    if interrupt::is_observed() && interrupt::raised().is_none() {
                        interrupt::raise(signal);
                        continue;
                    }
                    break Err(cli::RunError(format!("interrupted by {signal}")));
                }
            }
        };
        // Dropped before the cleanups are awaited: dropping it is what hands them over.
        drop(run);
        // Whatever the run made of it, a signal means the run did not finish.
        let result = match (result, interrupt::raised()) {
            (Ok(_), Some(signal)) => Err(cli::RunError(format!("interrupted by {signal}"))),
            (result, _) => result,
        };
        // Cleanups handed over by guards whose future was dropped (on a signal: dropping the
        // scratch databases) run now, before the process exits.
        pgdrift::source::cleanup::finish(CLEANUP_LIMIT).await;
        result
    });
    // Dropping the runtime lets every other cleanup (throwaway servers, temp files) finish first.
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

/// How long deferred cleanups may take after the run (dropping a scratch database on a server
/// that stopped answering must not keep a cancelled CI job alive).
const CLEANUP_LIMIT: Duration = Duration::from_secs(15);

/// Resolves with the signal's name when a signal arrives that would otherwise end the process
/// without cleanup: every signal whose default action terminates, except the faults raised by
/// the process itself (SIGSEGV, SIGBUS, ...), SIGKILL (which cannot be caught) and SIGPIPE
/// (ignored, as Rust sets it: a closed stdout shows up as a write error).
async fn interrupted() -> String {
    let mut waits = Vec::new();
    for (number, name) in terminating_signals() {
        // A signal that cannot be handled here keeps its default action.
        let Ok(mut stream) = signal(SignalKind::from_raw(number)) else {
            continue;
        };
        waits.push(Box::pin(async move {
            match stream.recv().await {
                Some(()) => name,
                // The signal driver is gone: this stream never fires.
                None => std::future::pending().await,
            }
        }));
    }
    if waits.is_empty() {
        return std::future::pending().await;
    }
    futures_util::future::select_all(waits).await.0
}

fn terminating_signals() -> Vec<(libc::c_int, String)> {
    #[cfg_attr(not(target_os = "linux"), allow(unused_mut))]
    let mut signals: Vec<(libc::c_int, String)> = [
        (libc::SIGHUP, "SIGHUP"),
        (libc::SIGINT, "SIGINT"),
        (libc::SIGQUIT, "SIGQUIT"),
        (libc::SIGTERM, "SIGTERM"),
        (libc::SIGUSR1, "SIGUSR1"),
        (libc::SIGUSR2, "SIGUSR2"),
        (libc::SIGALRM, "SIGALRM"),
        (libc::SIGVTALRM, "SIGVTALRM"),
        (libc::SIGPROF, "SIGPROF"),
        (libc::SIGXCPU, "SIGXCPU"),
        (libc::SIGXFSZ, "SIGXFSZ"),
    ]
    .into_iter()
    .map(|(number, name)| (number, name.to_string()))
    .collect();
    #[cfg(target_os = "linux")]
    {
        for (number, name) in [
            (libc::SIGIO, "SIGIO"),
            (libc::SIGPWR, "SIGPWR"),
            (libc::SIGSTKFLT, "SIGSTKFLT"),
        ] {
            signals.push((number, name.to_string()));
        }
        let (first, last) = (libc::SIGRTMIN(), libc::SIGRTMAX());
        for number in first..=last {
            signals.push((number, format!("SIGRTMIN+{}", number - first)));
        }
    }
    signals
}
