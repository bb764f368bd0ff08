//! `deling admin policy|reports|audit`: federation policy and moderation
//! from the command line. Changes are written to the audit log as `cli`.

use crate::cli::PolicyCommand;
use anyhow::{anyhow, bail};
use deling_domain::policy::{
    Domain, FederationMode, Severity, parse_mastodon_csv, to_mastodon_csv,
};
use deling_federation::policy::{ChangedBy, PolicyService, block_reason};
use deling_store::Store;

/// Runs a policy command.
pub async fn run(store: &Store, cmd: PolicyCommand, own_domain: &str) -> anyhow::Result<()> {
    let policy = PolicyService::new(store, own_domain);
    let by = ChangedBy::CLI;
    let domain = |d: &str| Domain::parse(d).map_err(|e| anyhow!("domain: {e}"));
    match cmd {
        PolicyCommand::Block {
            domain: d,
            severity,
            reason,
        } => {
            let d = domain(&d)?;
            let severity: Severity = severity.parse().map_err(|e| anyhow!("--severity: {e}"))?;
            if severity == Severity::Allow {
                bail!("use `deling admin policy allow {d}` to allow a domain");
            }
            policy
                .put_domain(by, &d, severity, reason.as_deref(), None)
                .await?;
            println!("{d}: {severity}");
        }
        PolicyCommand::Allow { domain: d } => {
            let d = domain(&d)?;
            policy
                .put_domain(by, &d, Severity::Allow, None, None)
                .await?;
            println!("{d}: allow");
        }
        PolicyCommand::Remove { domain: d } => {
            let d = domain(&d)?;
            policy.delete_domain(by, &d).await?;
            println!("{d}: policy removed");
        }
        PolicyCommand::List => {
            let mode = store.get_federation_mode().await?;
            println!("mode: {}", mode.as_str());
            for p in store.list_domain_policies().await? {
                println!(
                    "{}\t{}\t{}",
                    p.domain,
                    p.severity,
                    p.public_comment.unwrap_or_default()
                );
            }
        }
        PolicyCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| anyhow!("cannot read {}: {e}", file.display()))?;
            // As the API refuses it: an empty file imports nothing, and
            // must not leave an audit entry saying it did.
            if text.trim().is_empty() {
                return Err(anyhow!("{}: the file is empty", file.display()));
            }
            let blocks =
                parse_mastodon_csv(&text).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let n = policy
                .import_domains(by, &blocks, &file.display().to_string())
                .await?;
            println!("imported {n} domain policies");
        }
        PolicyCommand::Export => {
            print!("{}", to_mastodon_csv(&policy.domain_blocks().await?));
        }
        PolicyCommand::Mode { mode } => match mode {
            None => println!("{}", store.get_federation_mode().await?.as_str()),
            Some(m) => {
                let mode: FederationMode = m.parse().map_err(|e| anyhow!("mode: {e}"))?;
                policy.set_mode(by, mode).await?;
                println!("mode: {}", mode.as_str());
                if mode == FederationMode::Allowlist {
                    println!(
                        "only domains added with `deling admin policy allow DOMAIN` federate now"
                    );
                }
            }
        },
        PolicyCommand::BlockActor { actor, reason } => {
            let url =
                deling_domain::web_url::WebUrl::parse(&actor).map_err(|e| anyhow!("actor: {e}"))?;
            policy
                .block_actor(
                    by,
                    url.as_str(),
                    reason.as_deref(),
                    block_reason(reason.as_deref()),
                )
                .await?;
            println!("{url}: blocked");
        }
        PolicyCommand::UnblockActor { actor } => {
            policy.unblock_actor(by, &actor).await?;
            println!("{actor}: unblocked");
        }
    }
    Ok(())
}

/// Lists reports.
pub async fn reports(store: &Store, all: bool) -> anyhow::Result<()> {
    let mut before = None;
    let mut any = false;
    loop {
        let rows = store.list_reports(!all, before, 500).await?;
        let Some(last) = rows.last() else { break };
        before = Some(last.id);
        any = true;
        print_reports(rows);
    }
    if !any {
        println!("no {}reports", if all { "" } else { "open " });
    }
    Ok(())
}

fn print_reports(rows: Vec<deling_store::queries::report::Report>) {
    for r in rows {
        println!(
            "#{}\t{}\t{}\tfrom {}\t{}",
            r.id,
            r.status,
            r.created_at.format("%Y-%m-%d %H:%M"),
            r.reporter,
            r.objects
        );
        if !r.content.is_empty() {
            println!("\t{}", r.content);
        }
    }
}

/// Prints the audit log.
pub async fn audit(store: &Store, limit: u64) -> anyhow::Result<()> {
    for e in store.list_audit(limit.clamp(1, 1000), 0).await? {
        println!(
            "{}\t{}\t{}\t{}\t{}",
            e.created_at.format("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            e.target,
            e.details
        );
    }
    Ok(())
}
