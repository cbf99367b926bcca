//! Standard output and standard error of the command line, written so that a reader who goes
//! away (`pgdrift rules | head -1`) ends the printing, not the run: the reports are still
//! written and the exit code stays the run's. A leaf: it depends on nothing else in the crate.
//!
//! Rust ignores SIGPIPE, so a closed pipe shows up as an EPIPE write error, and `print!` /
//! `eprint!` turn that into a panic (exit 101, and a check that panics before its reports
//! writes none). Every line the CLI prints goes through [`stdout!`](crate::stdout) and
//! friends instead.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a write to the stream failed: a closed pipe stays closed, and a stream that failed
/// otherwise (a full disk) would only fail again or leave lines out of the middle.
static STDOUT_FAILED: AtomicBool = AtomicBool::new(false);
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Print to standard output; a failed write stops printing there and nothing else. A reader
/// that went away is what `head` does by design, so that is quiet; any other failure is said
/// once on standard error, as the output is then silently incomplete otherwise.
pub fn print_stdout(text: fmt::Arguments<'_>) {
    if STDOUT_FAILED.load(Ordering::Relaxed) {
        return;
    }
    let written = {
        let mut out = io::stdout().lock();
        // Flushed here so that a failure is seen here, not lost in the buffer at exit.
        out.write_fmt(text).and_then(|()| out.flush())
    };
    if let Err(e) = written {
        STDOUT_FAILED.store(true, Ordering::Relaxed);
        if e.kind() != io::ErrorKind::BrokenPipe {
            print_stderr(format_args!(
                "pgdrift: cannot write to standard output: {e}\n"
            ));
        }
    }
}

/// Print to standard error; a failed write stops printing there. There is nowhere left to say
/// so, and the exit code still tells how the run went.
pub fn print_stderr(text: fmt::Arguments<'_>) {
    if STDERR_FAILED.load(Ordering::Relaxed) {
        return;
    }
    // Standard error is unbuffered: the write itself reports the failure.
    if io::stderr().lock().write_fmt(text).is_err() {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

/// `print!` that stops printing when standard output is closed, instead of panicking.
#[macro_export]
macro_rules! stdout {
    ($($arg:tt)*) => {
        $crate::console::print_stdout(::std::format_args!($($arg)*))
    };
}

/// `println!` that stops printing when standard output is closed, instead of panicking.
#[macro_export]
macro_rules! stdoutln {
    () => {
        $crate::console::print_stdout(::std::format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::print_stdout(::std::format_args!(
            "{}\n",
            ::std::format_args!($($arg)*)
        ))
    };
}

/// `eprint!` that stops printing when standard error is closed, instead of panicking.
#[macro_export]
macro_rules! stderr {
    ($($arg:tt)*) => {
        $crate::console::print_stderr(::std::format_args!($($arg)*))
    };
}

/// `eprintln!` that stops printing when standard error is closed, instead of panicking.
#[macro_export]
macro_rules! stderrln {
    () => {
        $crate::console::print_stderr(::std::format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::console::print_stderr(::std::format_args!(
            "{}\n",
            ::std::format_args!($($arg)*)
        ))
    };
}
