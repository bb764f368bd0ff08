//! `deling admin agency rotate-key` and `deling admin instance rotate-key`:
//! new signing key pairs for our own actors.

use crate::cli::AgencyRotateKey;
use anyhow::{Context, anyhow};
use deling_federation::keys;
use deling_store::{Store, StoreError, queries::audit::Audit};

/// Gives an agency a new key pair and queues the `Update` that tells its
/// followers, signed with the old key while that is kept.
pub async fn rotate_agency_key(store: &Store, args: AgencyRotateKey) -> anyhow::Result<()> {
    let slug = args.slug;
    let agency = store
        .get_agency_by_slug(&slug)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| anyhow!("no agency {slug:?} (see `deling admin agency list`)"))?;
    let pair = keys::generate()?;
    let until = chrono::Utc::now() + chrono::Duration::days(i64::from(args.grace_days));
    let audit = Audit::new(None, "cli", "agency.rotate_key", &slug)
        .for_agency(agency.id)
        .with("grace_days", args.grace_days);
    match store
        .rotate_agency_key(
            agency.id,
            pair.public_key_pem,
            pair.private_key_pem,
            until,
            Some(&audit),
        )
        .await
    {
        Ok(_) => {}
        Err(StoreError::NotFound(_)) => {
            return Err(anyhow!("agency {slug:?} was withdrawn meanwhile"));
        }
        Err(e) => return Err(e).context("while storing the new key"),
    }
    println!("Agency {slug} has a new signing key.");
    if args.grace_days > 0 {
        println!(
            "Its followers get an Update with the new key from the running server, signed with \
             the old key, which is kept for that until {} and then erased.",
            until.format("%Y-%m-%d %H:%M UTC")
        );
    } else {
        println!(
            "Its followers get an Update with the new key from the running server, signed with \
             the new key (the old one was not kept); peers fetch the key again when the old one \
             fails."
        );
    }
    Ok(())
}

/// Gives the instance actor a new key pair. The running server signs its
/// fetches with the key it read at start-up, so it must be restarted.
pub async fn rotate_instance_key(store: &Store) -> anyhow::Result<()> {
    let pair = keys::generate()?;
    let audit = Audit::new(None, "cli", "instance.rotate_key", "instance");
    match store
        .rotate_instance_key(pair.public_key_pem, pair.private_key_pem, Some(&audit))
        .await
    {
        Ok(_) => {}
        Err(StoreError::NotFound(_)) => {
            return Err(anyhow!(
                "the instance actor does not exist yet: it is made when `deling serve` first starts"
            ));
        }
        Err(e) => return Err(e).context("while storing the new key"),
    }
    println!("The instance actor has a new signing key.");
    println!(
        "Restart every `deling serve` and `deling worker` process now: until then they sign \
         fetches with the old key, which peers that fetch the actor again no longer accept."
    );
    Ok(())
}
