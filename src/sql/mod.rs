//! SQL text, without knowing anything else of pgdrift: a lexer that respects string literals,
//! quoted identifiers, dollar quotes and comments, and the splitting of scripts into
//! statements the way psql does. A leaf: it depends on nothing else in the crate.

pub mod ident;
pub mod lexer;
