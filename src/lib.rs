//! pgdrift: a schema drift checker for PostgreSQL, built for CI.
//!
//! The flow (see DESIGN.md): policy → source (catalog) → model → normalize → diff → evaluate →
//! report, and diff → plan. Each stage is a plain function from data to data; only
//! `source`/`catalog` touch a database, only `report` writes report files, only `main` decides
//! the exit code. `history` turns the snapshots of a history folder into a timeline, which
//! `report::history` renders as a page. Every stage points only downstream; `sql`, `fs`,
//! `date`, `console` and `interrupt` are leaves that depend on nothing else in the crate (as
//! are `duration` and `text`).

// Signals, file locks on run folders, process groups for the throwaway server and the ssh
// client, Unix sockets: pgdrift is a Unix program (README, "Supported systems").
#[cfg(not(unix))]
compile_error!(
    "pgdrift builds and runs on Linux and macOS only; on Windows, run it in WSL or in a Linux \
     container (README, \"Supported systems\")"
);

pub mod catalog;
pub mod cli;
pub mod console;
pub mod date;
pub mod diff;
pub mod duration;
pub mod evaluate;
pub mod fs;
pub mod history;
pub mod interrupt;
pub mod model;
pub mod normalize;
pub mod plan;
pub mod policy;
pub mod report;
pub mod rules;
pub mod run;
pub mod snapshot;
pub mod source;
pub mod sql;
pub mod text;
pub mod timings;
