//! The `deling` binary: parses the command line and configuration, sets up
//! logging and runs the command. Errors end here, printed with their context.

use clap::Parser;
use deling::{
    cli::{Cli, Command},
    commands,
    config::Config,
};
use std::{io::IsTerminal, process::ExitCode};
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    let args = match deling::cli::check_args(std::env::args_os()) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let cli = Cli::parse_from(args);
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let filter = EnvFilter::try_from_default_env()
        // Migration progress is noise on every CLI call; keep its warnings.
        .or_else(|_| {
            EnvFilter::try_new(format!(
                "{},sea_orm_migration=warn,sqlx::postgres::notice=warn",
                config.log.filter
            ))
        })
        .unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve => commands::serve::run(&config).await,
            Command::Worker { metrics_bind } => commands::worker::run(&config, metrics_bind).await,
            Command::Migrate { status } => commands::migrate::run(&config, status).await,
            Command::Admin(cmd) => commands::admin::run(&config, cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
