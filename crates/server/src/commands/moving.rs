//! `deling admin agency move` and `alias`: an agency continuing as an
//! account elsewhere, and the other names that let an account move here.

use crate::{
    cli::{AgencyAlias, AgencyMove},
    commands::agency_by_slug,
    config::Config,
};
use anyhow::{Context, bail};
use deling_federation::activities::{following::parse_target, moving};
use deling_store::{
    Store,
    queries::{audit::Audit, moving::agency_aliases},
};

/// Moves an agency to an account on another server.
pub async fn agency_move(config: &Config, store: Store, args: AgencyMove) -> anyhow::Result<()> {
    let agency = agency_by_slug(&store, &args.slug).await?;
    if let Some(to) = &agency.moved_to {
        bail!("agency {:?} has moved to {to} already", agency.slug);
    }
    if !args.yes {
        bail!(
            "this moves agency {:?} ({}) to {} for good: its followers are told to follow that \
             account, and the agency publishes nothing more (it stays readable); run again with \
             --yes to do it",
            agency.slug,
            agency.name,
            args.to
        );
    }
    let to = parse_target(&args.to)
        .with_context(|| format!("cannot move {} to {}", agency.slug, args.to))?;
    let federation = crate::startup::federation_config(config, store).await?;
    let data = federation.to_request_data();
    let audit = Audit::new(None, "cli", "agency.move", &agency.slug).for_agency(agency.id);
    let (moved, target) = moving::move_agency(&agency, &to, audit, &data)
        .await
        .with_context(|| format!("cannot move {} to {}", agency.slug, args.to))?;
    println!("{} moved to {}.", moved.slug, target.row.ap_id);
    println!("The running server sends the Move to its followers; it publishes nothing more.");
    Ok(())
}

/// Shows, adds or removes an agency's other names.
pub async fn agency_alias(config: &Config, store: Store, args: AgencyAlias) -> anyhow::Result<()> {
    let agency = agency_by_slug(&store, &args.slug).await?;
    let federation = crate::startup::federation_config(config, store).await?;
    let data = federation.to_request_data();
    let agency = match (&args.add, &args.remove) {
        (Some(add), _) => {
            let audit =
                Audit::new(None, "cli", "agency.alias_add", &agency.slug).for_agency(agency.id);
            let target = parse_target(add).with_context(|| format!("cannot add {add}"))?;
            let (agency, id) = moving::add_alias(&agency, &target, audit, &data)
                .await
                .with_context(|| format!("cannot add {add}"))?;
            println!(
                "{} is also known as {id}; that account may now move here.",
                agency.slug
            );
            agency
        }
        (None, Some(remove)) => {
            let audit =
                Audit::new(None, "cli", "agency.alias_remove", &agency.slug).for_agency(agency.id);
            let target = parse_target(remove).with_context(|| format!("cannot remove {remove}"))?;
            moving::remove_alias(&agency, &target, audit, &data)
                .await
                .with_context(|| format!("cannot remove {remove}"))?
        }
        (None, None) => agency,
    };
    let aliases = agency_aliases(&agency);
    if aliases.is_empty() {
        println!("{} has no other names.", agency.slug);
    }
    for a in aliases {
        println!("{a}");
    }
    Ok(())
}
