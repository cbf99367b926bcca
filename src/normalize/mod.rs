//! Normalization: the equivalence rules that run between reading a schema and comparing it, and
//! the SQL lexer they (and the SQL-file source) are built on.

pub mod lexer;
