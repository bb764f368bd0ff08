//! `deling admin ...`: agencies, staff and tokens, for the operator.

use crate::{
    cli::{
        AdminCommand, AgencyCommand, AgencyCreate, AgencyUpdate, FederationCommand,
        InstanceCommand, SearchCommand, TokenCommand, TokenCreate, UserCommand, UserCreate,
        UserGrant,
    },
    commands::agency_by_slug,
    config::Config,
    startup::{open_store, urls},
};
use anyhow::{Context, anyhow, bail};
use deling_domain::{
    agency::{AgencyProfile, RawAgencyProfile},
    auth::{NewToken, Password, Role, Username},
};
use deling_federation::{
    agencies::{AgencyInput, CreateAgencyError, create_agency},
    policy::ChangedBy,
};
use deling_store::{
    Store, StoreError,
    queries::{agency::stored_profile, audit::Audit, staff::StaffChange},
};
use std::io::BufRead;

/// Runs an admin command.
pub async fn run(config: &Config, command: AdminCommand) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    match command {
        AdminCommand::Agency(AgencyCommand::Create(args)) => {
            agency_create(config, &store, args).await
        }
        AdminCommand::Agency(AgencyCommand::List) => agency_list(config, &store).await,
        AdminCommand::Agency(AgencyCommand::Update(args)) => agency_update(&store, args).await,
        AdminCommand::Agency(AgencyCommand::Withdraw { slug, yes }) => {
            agency_withdraw(&store, &slug, yes).await
        }
        AdminCommand::Agency(AgencyCommand::Follow { slug, target }) => {
            follow(config, store, &slug, &target, true).await
        }
        AdminCommand::Agency(AgencyCommand::Unfollow { slug, target }) => {
            follow(config, store, &slug, &target, false).await
        }
        AdminCommand::Agency(AgencyCommand::Following { slug }) => following(&store, &slug).await,
        AdminCommand::Agency(AgencyCommand::Move(args)) => {
            crate::commands::moving::agency_move(config, store, args).await
        }
        AdminCommand::Agency(AgencyCommand::Alias(args)) => {
            crate::commands::moving::agency_alias(config, store, args).await
        }
        AdminCommand::Agency(AgencyCommand::RotateKey(args)) => {
            crate::commands::keys::rotate_agency_key(&store, args).await
        }
        AdminCommand::Instance(InstanceCommand::RotateKey) => {
            crate::commands::keys::rotate_instance_key(&store).await
        }
        AdminCommand::Token(TokenCommand::List { username }) => token_list(&store, &username).await,
        AdminCommand::Federation(FederationCommand::Status) => federation_status(&store).await,
        AdminCommand::Policy(cmd) => {
            crate::commands::policy::run(&store, cmd, &config.domain).await
        }
        AdminCommand::Search(SearchCommand::Reindex) => {
            crate::commands::search::reindex(&store).await
        }
        AdminCommand::Reports { all } => crate::commands::policy::reports(&store, all).await,
        AdminCommand::Audit { limit } => crate::commands::policy::audit(&store, limit).await,
        AdminCommand::User(UserCommand::Create(args)) => user_create(&store, args).await,
        AdminCommand::User(UserCommand::Grant(args)) => user_grant(&store, args).await,
        AdminCommand::User(UserCommand::Revoke { username, agency }) => {
            user_revoke(&store, &username, &agency).await
        }
        AdminCommand::User(UserCommand::Disable { username }) => {
            user_change(&store, &username, StaffChange::Disable).await
        }
        AdminCommand::User(UserCommand::Enable { username }) => {
            user_change(&store, &username, StaffChange::Enable).await
        }
        AdminCommand::User(UserCommand::SetPassword { username, .. }) => {
            let password = read_password()?;
            let hash = tokio::task::spawn_blocking(move || password.hash()).await?;
            user_change(&store, &username, StaffChange::Password(hash)).await
        }
        AdminCommand::User(UserCommand::Promote { username }) => {
            user_change(&store, &username, StaffChange::InstanceAdmin(true)).await
        }
        AdminCommand::User(UserCommand::Demote { username }) => {
            user_change(&store, &username, StaffChange::InstanceAdmin(false)).await
        }
        AdminCommand::Token(TokenCommand::Create(args)) => token_create(&store, args).await,
        AdminCommand::Token(TokenCommand::Revoke { id }) => token_revoke(&store, id).await,
    }
}

async fn agency_update(store: &Store, args: AgencyUpdate) -> anyhow::Result<()> {
    let agency = store
        .get_agency_by_slug(&args.slug)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| anyhow!("no agency {:?}", args.slug))?;
    // An empty option clears the field; a missing one keeps it.
    let clearable = |v: Option<String>| v.map(|s| Some(s).filter(|s| !s.trim().is_empty()));
    let patch = RawAgencyProfile {
        name: args.name,
        summary: args.summary,
        website: clearable(args.website),
        icon_url: clearable(args.icon_url),
        org_number: clearable(args.org_number),
        indexable: args.indexable,
    };
    if patch.is_empty() {
        bail!(
            "nothing to change: give at least one of --name, --summary, --website, --icon-url, --org-number, --indexable"
        );
    }
    let profile = AgencyProfile::parse(patch.over(stored_profile(&agency))).map_err(|errors| {
        let all: Vec<String> = errors
            .iter()
            .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.problem))
            .collect();
        anyhow!("{}", all.join("; "))
    })?;
    let audit = Audit::new(None, "cli", "agency.update", &agency.slug).for_agency(agency.id);
    let updated = store
        .update_agency_profile(agency.id, &profile, agency.updated_at, Some(&audit))
        .await?;
    println!(
        "Updated agency {} ({}); its followers get the new profile",
        updated.slug, updated.name
    );
    Ok(())
}

async fn agency_withdraw(store: &Store, slug: &str, yes: bool) -> anyhow::Result<()> {
    let agency = match store.get_agency_by_slug(slug).await? {
        None => bail!("no agency {slug:?}"),
        Some(a) if a.deleted_at.is_some() => bail!("agency {slug:?} is withdrawn already"),
        Some(a) => a,
    };
    let items = store.count_agency_items(agency.id).await?;
    if !yes {
        bail!(
            "this withdraws agency {slug:?} ({}) and its {items} item(s) for good, and tells its \
             followers; run again with --yes to do it",
            agency.name
        );
    }
    let audit = Audit::new(None, "cli", "agency.withdraw", slug).for_agency(agency.id);
    let withdrawn = store.withdraw_agency(agency.id, Some(audit)).await?;
    println!(
        "Withdrew agency {slug} and {withdrawn} item(s); its followers get a Delete from the running server"
    );
    Ok(())
}

async fn agency_create(config: &Config, store: &Store, args: AgencyCreate) -> anyhow::Result<()> {
    let input = AgencyInput {
        slug: &args.slug,
        name: &args.name,
        org_number: args.org_number.as_deref(),
    };
    let agency = create_agency(store, input, ChangedBy::CLI)
        .await
        .map_err(|e| match e {
            CreateAgencyError::Invalid(errors) => {
                let all: Vec<String> = errors
                    .iter()
                    .map(|e| match e.field.as_str() {
                        "slug" => format!("slug {:?}: {}", args.slug, e.problem),
                        field => format!("--{}: {}", field.replace('_', "-"), e.problem),
                    })
                    .collect();
                anyhow!("{}", all.join("; "))
            }
            other => other.into(),
        })?;
    let urls = urls(config)?;
    println!("Created agency {} ({})", agency.slug, agency.name);
    println!("  handle: @{}@{}", agency.slug, config.domain);
    println!("  actor:  {}", urls.agency(&agency.slug));
    Ok(())
}

async fn agency_list(config: &Config, store: &Store) -> anyhow::Result<()> {
    let agencies = store.list_agencies().await?;
    if agencies.is_empty() {
        println!("No agencies yet. Create one with: deling admin agency create SLUG --name NAME");
    }
    for a in agencies {
        println!(
            "{}\t{}\t@{}@{}\t{}",
            a.slug,
            a.name,
            a.slug,
            config.domain,
            a.org_number.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}

/// The password on the first line of standard input (without its line
/// end), checked.
fn read_password() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']);
    if password.is_empty() {
        bail!(
            "no password on standard input (pipe it in: echo 'a long password' | deling admin user ...)"
        );
    }
    Password::parse(password).map_err(|e| anyhow!("password: {e}"))
}

async fn user_create(store: &Store, args: UserCreate) -> anyhow::Result<()> {
    let username = Username::parse(&args.username)
        .map_err(|e| anyhow!("username {:?}: {e}", args.username))?;
    let password = read_password()?;
    let hash = tokio::task::spawn_blocking(move || password.hash()).await?;
    let staff = store
        .put_staff(&username, hash, args.instance_admin)
        .await?;
    println!(
        "Created user {}{}",
        staff.username,
        if staff.instance_admin {
            " (instance admin)"
        } else {
            ""
        }
    );
    if !staff.instance_admin {
        println!(
            "  next: deling admin user grant {} --agency SLUG --role editor",
            staff.username
        );
    }
    Ok(())
}

async fn user_grant(store: &Store, args: UserGrant) -> anyhow::Result<()> {
    let role: Role = args.role.parse().map_err(|e| anyhow!("--role: {e}"))?;
    let staff = store
        .get_staff_by_username(&args.username)
        .await?
        .ok_or_else(|| anyhow!("no user {:?}", args.username))?;
    let agency = store
        .get_agency_by_slug(&args.agency)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| anyhow!("no agency {:?}", args.agency))?;
    let audit = Audit::new(
        None,
        "cli",
        "membership.put",
        &format!("{}@{}", staff.username, agency.slug),
    )
    .for_agency(agency.id);
    store
        .set_member_role(agency.id, staff.id, Some(role), false, Some(audit))
        .await?;
    println!("{} is now {} of {}", staff.username, role, agency.slug);
    Ok(())
}

async fn user_revoke(store: &Store, username: &str, slug: &str) -> anyhow::Result<()> {
    let staff = store
        .get_staff_by_username(username)
        .await?
        .ok_or_else(|| anyhow!("no user {username:?}"))?;
    let agency = store
        .get_agency_by_slug(slug)
        .await?
        .filter(|a| a.deleted_at.is_none())
        .ok_or_else(|| anyhow!("no agency {slug:?}"))?;
    // The operator may leave an agency without an admin: instance admins
    // can still act for it.
    let audit = Audit::new(
        None,
        "cli",
        "membership.delete",
        &format!("{username}@{slug}"),
    )
    .for_agency(agency.id);
    let before = store
        .set_member_role(agency.id, staff.id, None, false, Some(audit))
        .await?
        .ok_or_else(|| anyhow!("{username} has no role in {slug}"))?;
    println!("{username} is no longer {before} of {slug}");
    Ok(())
}

/// Disables, enables, re-passwords, promotes or demotes an account, with
/// its audit entry; says what ended with it.
async fn user_change(store: &Store, username: &str, change: StaffChange) -> anyhow::Result<()> {
    let staff = store
        .get_staff_by_username(username)
        .await?
        .ok_or_else(|| anyhow!("no user {username:?}"))?;
    let (action, done) = match change {
        StaffChange::Disable => ("staff.disable", "disabled"),
        StaffChange::Enable => ("staff.enable", "enabled"),
        StaffChange::Password(_) => ("staff.password", "given a new password"),
        StaffChange::InstanceAdmin(true) => ("staff.promote", "an instance admin now"),
        StaffChange::InstanceAdmin(false) => ("staff.demote", "no longer an instance admin"),
    };
    let audit = Audit::new(None, "cli", action, username);
    let changed = store.change_staff(staff.id, change, Some(audit)).await?;
    println!("{username}: {done}");
    if changed.sessions_ended > 0 || changed.tokens_revoked > 0 {
        println!(
            "  {} web session(s) ended, {} API token(s) revoked",
            changed.sessions_ended, changed.tokens_revoked
        );
    }
    Ok(())
}

async fn token_create(store: &Store, args: TokenCreate) -> anyhow::Result<()> {
    let staff = store
        .get_staff_by_username(&args.username)
        .await?
        .ok_or_else(|| anyhow!("no user {:?}", args.username))?;
    // 1 to 3650, as the argument's parser holds it: a date that far
    // ahead is well inside what dates can hold.
    let expires_at = args
        .expires_in_days
        .map(|d| chrono::Utc::now() + chrono::Duration::days(i64::from(d)));
    let token = NewToken::generate();
    let row = store
        .put_token(staff.id, token.hash, args.label, expires_at)
        .await?;
    // The secret goes to stdout alone so scripts can capture it; the rest
    // to stderr.
    eprintln!(
        "Token {} for {} (shown once; store it now{}):",
        row.id,
        staff.username,
        row.expires_at
            .map(|e| format!(", expires {e}"))
            .unwrap_or_default()
    );
    println!("{}", token.secret);
    Ok(())
}

async fn token_revoke(store: &Store, id: i64) -> anyhow::Result<()> {
    match store.revoke_token(id).await {
        Ok(t) => {
            println!("Token {} revoked.", t.id);
            Ok(())
        }
        Err(StoreError::NotFound(_)) => bail!("no token with id {id}"),
        Err(e) => Err(e.into()),
    }
}

async fn follow(
    config: &Config,
    store: Store,
    slug: &str,
    target: &str,
    on: bool,
) -> anyhow::Result<()> {
    let agency = agency_by_slug(&store, slug).await?;
    let parsed = deling_federation::activities::following::parse_target(target)
        .with_context(|| format!("cannot {} {target}", if on { "follow" } else { "unfollow" }))?;
    let federation = crate::startup::federation_config(config, store).await?;
    let data = federation.to_request_data();
    // The operator acts from outside the agency's staff: written down as
    // an instance admin's follow on its behalf is.
    let agency_id = agency.id;
    let audit = |action: &str| {
        let slug = agency.slug.clone();
        let action = action.to_owned();
        move |actor: &str| {
            Some(
                Audit::new(None, "cli", &action, &format!("{slug}/following/{actor}"))
                    .for_agency(agency_id)
                    .with("agency", slug.as_str())
                    .with("actor", actor),
            )
        }
    };
    if on {
        let actor = deling_federation::activities::following::follow(
            &agency,
            &parsed,
            &data,
            audit("follow.create"),
        )
        .await
        .with_context(|| format!("cannot follow {target}"))?;
        println!(
            "{} asked to follow {} (pending until it accepts).",
            agency.slug, actor.row.ap_id
        );
        println!(
            "The running server delivers the Follow; check with: deling admin agency following {}",
            agency.slug
        );
    } else if deling_federation::activities::following::unfollow(
        &agency,
        &parsed,
        &data,
        audit("follow.undo"),
    )
    .await
    .with_context(|| format!("cannot unfollow {target}"))?
    {
        println!(
            "{} no longer follows {target}; the running server delivers the Undo.",
            agency.slug
        );
    } else {
        bail!("{} does not follow {target}", agency.slug);
    }
    Ok(())
}

async fn following(store: &Store, slug: &str) -> anyhow::Result<()> {
    let agency = agency_by_slug(store, slug).await?;
    let rows = store.list_following(agency.id).await?;
    if rows.is_empty() {
        println!("{} follows nobody yet.", agency.slug);
    }
    for f in rows {
        println!(
            "{}\t{}\t{}",
            f.state,
            deling_store::records::handle_of(&f.actor).unwrap_or_else(|| "-".into()),
            f.actor.ap_id
        );
    }
    Ok(())
}

async fn token_list(store: &Store, username: &str) -> anyhow::Result<()> {
    let staff = store
        .get_staff_by_username(username)
        .await?
        .ok_or_else(|| anyhow!("no user {username:?}"))?;
    let now = chrono::Utc::now();
    for t in store.list_tokens(staff.id).await? {
        let state = if t.revoked_at.is_some() {
            "revoked"
        } else if t.expires_at.is_some_and(|e| e <= now) {
            "expired"
        } else {
            "active"
        };
        println!(
            "{}\t{state}\t{}\tcreated {}\texpires {}\tlast used {}",
            t.id,
            t.label.as_deref().unwrap_or("-"),
            t.created_at.format("%Y-%m-%d %H:%M"),
            t.expires_at
                .map_or("never".into(), |e| e.format("%Y-%m-%d %H:%M").to_string()),
            t.last_used_at
                .map_or("never".into(), |e| e.format("%Y-%m-%d %H:%M").to_string()),
        );
    }
    Ok(())
}

async fn federation_status(store: &Store) -> anyhow::Result<()> {
    let s = store.queue_stats().await?;
    let age = s
        .oldest_pending
        .map(|t| {
            format!(
                " (oldest queued {}s ago)",
                (chrono::Utc::now() - t).num_seconds().max(0)
            )
        })
        .unwrap_or_default();
    println!("deliveries waiting:   {}{age}", s.pending_deliveries);
    println!("deliveries made:      {} (last week)", s.done_deliveries);
    println!("deliveries given up:  {} (last week)", s.failed_deliveries);
    println!("incoming waiting:     {}", s.pending_inbox);
    println!("incoming refused:     {} (last day)", s.failed_inbox);
    println!("changes to fan out:   {}", s.pending_events);
    if s.failing_hosts.is_empty() {
        println!("failing hosts:        none");
    } else {
        println!("failing hosts:");
        for h in s.failing_hosts {
            println!(
                "  {}\t{} failures{}\tnext try {}\t{}",
                h.host,
                h.consecutive_failures,
                if h.unreachable_since.is_some() {
                    " (unreachable)"
                } else {
                    ""
                },
                h.next_attempt_at
                    .map_or("-".into(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string()),
                h.last_error.as_deref().unwrap_or("")
            );
        }
    }
    if !s.refused_signers.is_empty() {
        println!("refused signatures (401; that agency's deliveries wait):");
        for r in s.refused_signers {
            println!(
                "  {}	{}	until {}",
                r.host,
                r.agency.as_deref().unwrap_or("(instance actor)"),
                r.until.format("%Y-%m-%d %H:%M:%S")
            );
        }
    }
    Ok(())
}
