//! The suite at its tiny size, as a smoke test: every scenario runs to
//! the end against a real server and prints its rows. Its figures are not
//! looked at (a benchmark is not a test).

use std::process::Command;

#[test]
fn every_scenario_runs_at_the_tiny_size() {
    let out = Command::new(env!("CARGO_BIN_EXE_deling-bench"))
        .args(["all", "--tiny"])
        .output()
        .expect("deling-bench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "deling-bench all --tiny failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for row in [
        "RSA-2048 sign",
        "fan-out:",
        "dead and",
        "every host's delivery sent",
        "inbox:",
        "until all are stored",
        "at half that rate",
        "actor JSON",
        "item HTML",
        "agency HTML",
        "outbox page",
        "WebFinger",
        "search",
        "growth, SQLite: filling 200 items",
        "growth, SQLite: `GET /api/v1/items` page 1, 200 items",
        "growth, SQLite: item HTML, 200 items",
        "growth, SQLite: search",
        "growth, SQLite: outbox page 1, 200 items",
        "growth, SQLite: item with 20 comments, HTML, 200 items",
        "growth, PostgreSQL:",
        "resident memory, idle",
        "start-up to first answer",
    ] {
        assert!(
            stdout
                .lines()
                .any(|l| l.starts_with("| ") && l.contains(row)),
            "no row for {row:?} in:\n{stdout}"
        );
    }
}
