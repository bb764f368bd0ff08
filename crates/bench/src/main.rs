//! Deling's benchmark suite: `cargo run --release -p deling-bench -- all`.
//!
//! Each scenario runs a real server (release build, SQLite file, loopback)
//! and prints its figures beside a ceiling measured in the same run on the
//! same machine, and the ratio: RSA signing with aws-lc-rs on every core
//! for fan-out, a bare handler that verifies a signature and inserts a row
//! for the inbox, a bare actix-web handler serving the same bytes for
//! reads and memory. `all --tiny` runs everything at a tiny size (a smoke test
//! for CI; its figures mean nothing). The growth scenario also runs on
//! PostgreSQL (`TEST_POSTGRES_URL`), and holds each catalogue size against
//! the smallest instead of a ceiling.
#![allow(clippy::print_stdout)]

mod ceilings;
mod load;
mod scenarios;
mod server;
mod table;

use clap::{Parser, Subcommand};
use scenarios::growth::Database;
use std::time::Duration;
use table::Row;

#[derive(Parser)]
#[command(about = "Deling's benchmarks, each beside its ceiling")]
struct Cli {
    #[command(subcommand)]
    command: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// Every scenario, one table.
    All {
        /// Tiny sizes: a smoke test, not a measurement.
        #[arg(long)]
        tiny: bool,
    },
    /// RSA-2048 sign and verify on every core, `rsa` and aws-lc-rs.
    Ceilings,
    /// Reads at many connections against a bare handler.
    Reads {
        #[arg(long, default_value_t = 1000)]
        items: usize,
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// Fan-out to many hosts, then with some dead and some slow.
    Fanout {
        #[arg(long, default_value_t = 1000)]
        hosts: usize,
        #[arg(long, default_value_t = 10_000)]
        followers: usize,
        #[arg(long, default_value_t = 10)]
        dead_pct: usize,
        #[arg(long, default_value_t = 10)]
        slow_pct: usize,
        /// Measured publishes of each kind, the median reported (each
        /// run with some hosts dead and slow has its own fresh ones).
        #[arg(long, default_value_t = 3)]
        runs: usize,
    },
    /// Signed activities into the inbox, against a bare verify-and-insert
    /// handler.
    Inbox {
        /// Remote actors sending.
        #[arg(long, default_value_t = 50)]
        senders: usize,
        /// Peer servers they are spread over (sender `i` on server
        /// `i % hosts`). With one, the inbox's share of one host's
        /// activities bounds how fast they are stored.
        #[arg(long, default_value_t = 1)]
        hosts: usize,
        /// Activities in the measured run.
        #[arg(long, default_value_t = 3000)]
        activities: usize,
        /// Connections they are sent over at once.
        #[arg(long, default_value_t = 64)]
        connections: usize,
    },
    /// Page latency at growing catalogue sizes, one request at a time, on
    /// SQLite and PostgreSQL, each size against the first.
    Growth {
        /// Catalogue sizes; the first is the one the others are held
        /// against.
        #[arg(long, value_delimiter = ',', default_values_t = [1000, 10_000, 100_000])]
        sizes: Vec<usize>,
        /// Databases (PostgreSQL at `TEST_POSTGRES_URL`, skipped with a note
        /// when unreachable unless `TEST_REQUIRE_POSTGRES=1`).
        #[arg(long, value_delimiter = ',', value_enum,
              default_values_t = [Database::Sqlite, Database::Postgres])]
        databases: Vec<Database>,
        /// Comments on the newest item.
        #[arg(long, default_value_t = 10_000)]
        comments: usize,
        /// Seconds each page is asked for, at each size.
        #[arg(long, default_value_t = 2.0)]
        seconds: f64,
    },
    /// Resident memory and start-up, against a bare actix-web server.
    Memory {
        #[arg(long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 5.0)]
        seconds: f64,
    },
    /// (The memory scenario's server process.)
    #[command(name = "__serve", hide = true)]
    Serve { database_url: String, port: u16 },
    /// (The memory scenario's bare process.)
    #[command(name = "__bare", hide = true)]
    Bare { port: u16 },
}

fn rsa_rows(r: &ceilings::Rsa) -> Vec<Row> {
    let cores = ceilings::cores();
    vec![
        Row::rate(
            format!("RSA-2048 sign, {cores} cores: `rsa` crate against aws-lc-rs"),
            r.rsa_sign,
            format!("{:.0}/s", r.rsa_sign),
            r.fast_sign,
            format!("{:.0}/s", r.fast_sign),
        ),
        Row::rate(
            format!("RSA-2048 verify, {cores} cores: `rsa` crate against aws-lc-rs"),
            r.rsa_verify,
            format!("{:.0}/s", r.rsa_verify),
            r.fast_verify,
            format!("{:.0}/s", r.fast_verify),
        ),
    ]
}

async fn ceilings_of(time: Duration) -> anyhow::Result<ceilings::Rsa> {
    let keys = deling_federation::keys::generate()?;
    tokio::task::spawn_blocking(move || ceilings::rsa(&keys.private_key_pem, time)).await?
}

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rows = match cli.command {
        Scenario::Serve { database_url, port } => {
            let config = server::bench_config(port, &database_url);
            let app = deling::startup::Application::build(&config).await?;
            app.run_until_stopped().await?;
            return Ok(());
        }
        Scenario::Bare { port } => {
            let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
            actix_web::HttpServer::new(|| {
                actix_web::App::new().default_service(actix_web::web::to(|| async {
                    actix_web::HttpResponse::Ok()
                        .content_type("application/activity+json")
                        .body(&b"{}"[..])
                }))
            })
            .workers(2)
            .listen(listener)?
            .run()
            .await?;
            return Ok(());
        }
        Scenario::Ceilings => rsa_rows(&ceilings_of(Duration::from_secs(2)).await?),
        Scenario::Reads {
            items,
            connections,
            seconds,
        } => {
            scenarios::reads::run(&scenarios::reads::Options {
                items,
                connections,
                duration: Duration::from_secs_f64(seconds),
            })
            .await?
        }
        Scenario::Fanout {
            hosts,
            followers,
            dead_pct,
            slow_pct,
            runs,
        } => {
            let rsa = ceilings_of(Duration::from_secs(2)).await?;
            let mut rows = rsa_rows(&rsa);
            rows.extend(
                scenarios::fanout::run(
                    &scenarios::fanout::Options {
                        hosts,
                        followers,
                        dead_pct,
                        slow_pct,
                        runs,
                    },
                    &rsa,
                )
                .await?,
            );
            rows
        }
        Scenario::Inbox {
            senders,
            hosts,
            activities,
            connections,
        } => {
            scenarios::inbox::run(&scenarios::inbox::Options {
                senders,
                hosts,
                activities,
                connections,
            })
            .await?
        }
        Scenario::Growth {
            sizes,
            databases,
            comments,
            seconds,
        } => {
            scenarios::growth::run(&scenarios::growth::Options {
                sizes,
                databases,
                comments,
                duration: Duration::from_secs_f64(seconds),
            })
            .await?
        }
        Scenario::Memory {
            connections,
            seconds,
        } => scenarios::memory::run(connections, Duration::from_secs_f64(seconds)).await?,
        Scenario::All { tiny } => {
            let (time, load) = if tiny {
                (Duration::from_millis(100), Duration::from_millis(300))
            } else {
                (Duration::from_secs(2), Duration::from_secs(5))
            };
            let rsa = ceilings_of(time).await?;
            let mut rows = rsa_rows(&rsa);
            let fanout = if tiny {
                scenarios::fanout::Options {
                    hosts: 10,
                    followers: 20,
                    dead_pct: 10,
                    slow_pct: 10,
                    runs: 1,
                }
            } else {
                scenarios::fanout::Options {
                    hosts: 1000,
                    followers: 10_000,
                    dead_pct: 10,
                    slow_pct: 10,
                    runs: 3,
                }
            };
            rows.extend(scenarios::fanout::run(&fanout, &rsa).await?);
            rows.extend(
                scenarios::inbox::run(&scenarios::inbox::Options {
                    senders: if tiny { 3 } else { 50 },
                    hosts: 1,
                    activities: if tiny { 30 } else { 3000 },
                    connections: if tiny { 4 } else { 64 },
                })
                .await?,
            );
            rows.extend(
                scenarios::reads::run(&scenarios::reads::Options {
                    items: if tiny { 20 } else { 1000 },
                    connections: if tiny { 4 } else { 64 },
                    duration: load,
                })
                .await?,
            );
            rows.extend(
                scenarios::growth::run(&scenarios::growth::Options {
                    sizes: if tiny {
                        vec![50, 200]
                    } else {
                        vec![1000, 10_000, 100_000]
                    },
                    databases: vec![Database::Sqlite, Database::Postgres],
                    comments: if tiny { 20 } else { 10_000 },
                    duration: if tiny {
                        Duration::from_millis(100)
                    } else {
                        Duration::from_secs(2)
                    },
                })
                .await?,
            );
            rows.extend(scenarios::memory::run(if tiny { 4 } else { 64 }, load).await?);
            rows
        }
    };
    table::print(&rows);
    Ok(())
}
