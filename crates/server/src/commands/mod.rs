//! One module per command group.

/// Prints a line to stdout for a long-running process, ignoring a closed
/// stdout: a server whose banner nobody reads any more (`deling serve |
/// head -1`, a supervisor that closed the pipe) must keep serving, where
/// `println!` would panic on the broken pipe.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

pub mod admin;
pub mod keys;
pub mod migrate;
pub mod moving;
pub mod policy;
pub mod search;
pub mod serve;
pub mod worker;
