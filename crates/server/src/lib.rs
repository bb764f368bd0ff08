//! The `deling` server as a library: configuration, command line, start-up
//! and commands, so integration tests can build an [`startup::Application`]
//! in-process.
#![deny(missing_docs)]

pub mod cli;
pub mod commands;
pub mod config;
pub mod startup;
