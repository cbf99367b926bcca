//! Sources: turn a policy target into a canonical `Schema`. The only stage that touches a
//! database: live URLs are read through the catalog reader, SQL files are applied to a scratch
//! database (on a throwaway local cluster or an existing server) and then read.

pub mod cluster;
pub mod conninfo;
