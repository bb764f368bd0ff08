//! Memory and start-up: the server in a process of its own on an existing
//! database, against a bare actix-web server in a process of its own.
//! Resident memory idle, at its peak under reads, and the time from
//! starting the process to the first answer.

use crate::{load, server, table::Row};
use std::{
    process::Stdio,
    time::{Duration, Instant},
};
use tokio::process::{Child, Command};

/// A process the bench started, killed when dropped.
struct Process {
    child: Child,
    pid: u32,
    base: String,
    ready: Duration,
}

/// Reads a `/proc/<pid>/status` field in kB, as MiB.
fn status_mib(pid: u32, field: &str) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no {field} in /proc/{pid}/status"))?;
    Ok(kb / 1024.0)
}

/// Starts this binary with `args` and waits for `GET base/path` to answer.
async fn spawn(args: &[String], port: u16, path: &str) -> anyhow::Result<Process> {
    let started = Instant::now();
    let child = Command::new(std::env::current_exe()?)
        .args(args)
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child
        .id()
        .ok_or_else(|| anyhow::anyhow!("child has no pid"))?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder().no_proxy().build()?;
    loop {
        if let Ok(r) = client.get(format!("{base}{path}")).send().await
            && r.status().is_success()
        {
            break;
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "{args:?} did not answer in 30 s"
        );
        tokio::time::sleep(Duration::from_micros(500)).await;
    }
    Ok(Process {
        child,
        pid,
        base,
        ready: started.elapsed(),
    })
}

/// Runs the scenario, loading each process for `duration` with
/// `connections` connections.
pub async fn run(connections: usize, duration: Duration) -> anyhow::Result<Vec<Row>> {
    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.sqlite3").display()
    );
    let port = deling_testkit::free_port();
    let config = server::bench_config(port, &url);
    let store = deling_store::Store::connect(&url).await?;
    server::prepare(&config, &store).await?;
    store.close().await?;

    // Once to find the database in place, as after an upgrade; then timed.
    let args = vec!["__serve".to_owned(), url.clone(), port.to_string()];
    drop(spawn(&args, port, "/healthz").await?);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut deling = spawn(&args, port, "/healthz").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = status_mib(deling.pid, "VmRSS:")?;
    let ap = "application/activity+json";
    load::run(
        &format!("{}/agencies/oslo", deling.base),
        ap,
        connections,
        duration,
    )
    .await?;
    let peak = status_mib(deling.pid, "VmHWM:")?;
    deling.child.kill().await?;

    let bare_port = deling_testkit::free_port();
    let mut bare = spawn(
        &["__bare".to_owned(), bare_port.to_string()],
        bare_port,
        "/",
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let bare_idle = status_mib(bare.pid, "VmRSS:")?;
    load::run(&bare.base, ap, connections, duration).await?;
    let bare_peak = status_mib(bare.pid, "VmHWM:")?;
    bare.child.kill().await?;

    let row = |what: &str, d: f64, c: f64, unit: &str| Row {
        measure: what.to_owned(),
        deling: format!("{d:.1} {unit}"),
        ceiling: format!("bare actix: {c:.1} {unit}"),
        ratio: Some(d / c),
    };
    Ok(vec![
        row("resident memory, idle", idle, bare_idle, "MiB"),
        row(
            &format!("resident memory, peak under {connections} connections"),
            peak,
            bare_peak,
            "MiB",
        ),
        row(
            "start-up to first answer, existing database",
            deling.ready.as_secs_f64() * 1e3,
            bare.ready.as_secs_f64() * 1e3,
            "ms",
        ),
    ])
}
