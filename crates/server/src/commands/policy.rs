//! `deling admin policy|reports|audit`: federation policy and moderation
//! from the command line. Changes are written to the audit log as `cli`.

use crate::cli::PolicyCommand;
use anyhow::{anyhow, bail};
use deling_domain::policy::{
    Domain, DomainBlock, FederationMode, Severity, parse_mastodon_csv, to_mastodon_csv,
};
use deling_store::Store;
use serde_json::json;

/// Runs a policy command.
pub async fn run(store: &Store, cmd: PolicyCommand, own_domain: &str) -> anyhow::Result<()> {
    let domain = |d: &str| {
        let d = Domain::parse(d).map_err(|e| anyhow!("domain: {e}"))?;
        if d.as_str().eq_ignore_ascii_case(own_domain) {
            bail!("{d} is this server");
        }
        Ok(d)
    };
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
            store
                .put_domain_policy(&d, severity, reason.as_deref(), None)
                .await?;
            store
                .put_audit(
                    None,
                    "cli",
                    "domain_policy.put",
                    d.as_str(),
                    json!({"severity": severity.as_str()}),
                )
                .await?;
            println!("{d}: {severity}");
        }
        PolicyCommand::Allow { domain: d } => {
            let d = domain(&d)?;
            store
                .put_domain_policy(&d, Severity::Allow, None, None)
                .await?;
            store
                .put_audit(
                    None,
                    "cli",
                    "domain_policy.put",
                    d.as_str(),
                    json!({"severity": "allow"}),
                )
                .await?;
            println!("{d}: allow");
        }
        PolicyCommand::Remove { domain: d } => {
            let d = domain(&d)?;
            if !store.delete_domain_policy(&d).await? {
                bail!("there is no policy for {d}");
            }
            store
                .put_audit(None, "cli", "domain_policy.delete", d.as_str(), json!({}))
                .await?;
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
            let blocks =
                parse_mastodon_csv(&text).map_err(|e| anyhow!("{}: {e}", file.display()))?;
            let n = store.put_domain_policies(&blocks).await?;
            store
                .put_audit(
                    None,
                    "cli",
                    "domain_policy.import",
                    &file.display().to_string(),
                    json!({"rows": n}),
                )
                .await?;
            println!("imported {n} domain policies");
        }
        PolicyCommand::Export => {
            let blocks: Vec<DomainBlock> = store
                .list_domain_policies()
                .await?
                .into_iter()
                .filter_map(|r| {
                    Some(DomainBlock {
                        domain: Domain::parse(&r.domain).ok()?,
                        severity: r.severity.parse().ok()?,
                        public_comment: r.public_comment,
                    })
                })
                .collect();
            print!("{}", to_mastodon_csv(&blocks));
        }
        PolicyCommand::Mode { mode } => match mode {
            None => println!("{}", store.get_federation_mode().await?.as_str()),
            Some(m) => {
                let mode: FederationMode = m.parse().map_err(|e| anyhow!("mode: {e}"))?;
                store.put_federation_mode(mode).await?;
                store
                    .put_audit(None, "cli", "federation_mode.put", mode.as_str(), json!({}))
                    .await?;
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
            store
                .put_actor_block(url.as_str(), reason.as_deref())
                .await?;
            store
                .put_audit(
                    None,
                    "cli",
                    "actor_block.put",
                    url.as_str(),
                    json!({"reason": reason}),
                )
                .await?;
            println!("{url}: blocked");
        }
        PolicyCommand::UnblockActor { actor } => {
            if !store.delete_actor_block(actor.trim()).await? {
                bail!("{actor} is not blocked");
            }
            store
                .put_audit(None, "cli", "actor_block.delete", actor.trim(), json!({}))
                .await?;
            println!("{actor}: unblocked");
        }
    }
    Ok(())
}

/// Lists reports.
pub async fn reports(store: &Store, all: bool) -> anyhow::Result<()> {
    let rows = store.list_reports(!all).await?;
    if rows.is_empty() {
        println!("no {}reports", if all { "" } else { "open " });
    }
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
    Ok(())
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
