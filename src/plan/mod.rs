//! The plan: statements that turn the actual schema into the expected one, in dependency order,
//! each with its hazards. `ddl` prints the SQL text of single statements from the model; the
//! planner decides which ones to run and in what order.

pub mod ddl;
