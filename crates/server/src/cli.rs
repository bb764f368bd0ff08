//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Deling: a federated sharing server for the public sector.
#[derive(Debug, Parser)]
#[command(name = "deling", version)]
pub struct Cli {
    /// Configuration file (TOML) laid over the built-in defaults.
    #[arg(long, short, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (migrates the database first).
    Serve,
    /// Run only the federation worker (fan-out, inbox processing, delivery),
    /// beside `serve` processes on the same PostgreSQL database.
    Worker {
        /// Serve this process's Prometheus metrics at ADDR/metrics.
        #[arg(long, value_name = "ADDR")]
        metrics_bind: Option<std::net::SocketAddr>,
    },
    /// Bring the database schema up to date.
    Migrate {
        /// Only show applied and pending migrations.
        #[arg(long)]
        status: bool,
    },
    /// Manage agencies, staff and tokens.
    #[command(subcommand)]
    Admin(AdminCommand),
}

/// `deling admin ...`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Agencies.
    #[command(subcommand)]
    Agency(AgencyCommand),
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The instance actor (which signs fetches).
    #[command(subcommand)]
    Instance(InstanceCommand),
    /// Federation queues and peers.
    #[command(subcommand)]
    Federation(FederationCommand),
    /// Federation policy: domain blocks, allow-list mode, blocked actors.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// The full-text search index.
    #[command(subcommand)]
    Search(SearchCommand),
    /// Reports received from other servers.
    Reports {
        /// Include resolved reports.
        #[arg(long)]
        all: bool,
    },
    /// The audit log, newest first.
    Audit {
        /// How many entries.
        #[arg(long, default_value_t = 50)]
        limit: u64,
    },
}

/// `deling admin policy ...`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Block a domain (and its subdomains).
    Block {
        /// Host name, e.g. spam.example.
        domain: String,
        /// `suspend` (nothing in or out), `silence` (comments held, items
        /// not catalogued) or `reject_media`.
        #[arg(long, default_value = "suspend")]
        severity: String,
        /// A reason that may be shown publicly.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Allow a domain (what counts in allow-list mode).
    Allow {
        /// Host name.
        domain: String,
    },
    /// Remove a domain's policy.
    Remove {
        /// Host name.
        domain: String,
    },
    /// List domain policies.
    List,
    /// Import Mastodon's domain-block CSV.
    Import {
        /// The CSV file.
        file: std::path::PathBuf,
    },
    /// Export domain blocks as Mastodon's CSV (to standard output).
    Export,
    /// Show or set the mode: `blocklist` (all but blocked) or `allowlist`
    /// (only allowed domains federate).
    Mode {
        /// The new mode.
        mode: Option<String>,
    },
    /// Block one remote actor.
    BlockActor {
        /// The actor's URL.
        actor: String,
        /// Why.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Unblock a remote actor.
    UnblockActor {
        /// The actor's URL.
        actor: String,
    },
}

/// `deling admin federation ...`.
#[derive(Debug, Subcommand)]
pub enum FederationCommand {
    /// Queue depth, oldest waiting delivery, failing hosts.
    Status,
}

/// `deling admin agency ...`.
#[derive(Debug, Subcommand)]
pub enum AgencyCommand {
    /// Create an agency (with its signing key pair).
    Create(AgencyCreate),
    /// List agencies.
    List,
    /// Change an agency's public profile; followers get the new profile.
    Update(AgencyUpdate),
    /// Withdraw an agency for good: its items are withdrawn, its actor
    /// answers 410 and its followers get a Delete. Cannot be undone.
    Withdraw {
        /// Agency slug.
        slug: String,
        /// Confirm: without it nothing is changed.
        #[arg(long)]
        yes: bool,
    },
    /// Make an agency follow a remote actor (@user@host or actor URL).
    Follow {
        /// Agency slug.
        slug: String,
        /// `@user@host` or an actor URL.
        target: String,
    },
    /// Make an agency stop following a remote actor.
    Unfollow {
        /// Agency slug.
        slug: String,
        /// `@user@host` or an actor URL.
        target: String,
    },
    /// List whom an agency follows, with the state of each Follow.
    Following {
        /// Agency slug.
        slug: String,
    },
    /// Move an agency to an actor on another server (a merger): the
    /// target must list the agency in its alsoKnownAs; followers are sent
    /// a Move and follow the target; the agency publishes nothing more.
    Move(AgencyMove),
    /// Show or change an agency's other names (alsoKnownAs), which lets an
    /// account elsewhere move to it.
    Alias(AgencyAlias),
    /// Give an agency a new signing key pair; followers get an Update of
    /// its actor with the new key, signed with the old one.
    RotateKey(AgencyRotateKey),
}

/// Arguments of `admin agency move`.
#[derive(Debug, Args)]
pub struct AgencyMove {
    /// Agency slug.
    pub slug: String,
    /// The new account: `@user@host` or an actor URL.
    #[arg(long)]
    pub to: String,
    /// Confirm: without it nothing is changed.
    #[arg(long)]
    pub yes: bool,
}

/// Arguments of `admin agency alias`: without `--add` or `--remove`, the
/// list is shown.
#[derive(Debug, Args)]
pub struct AgencyAlias {
    /// Agency slug.
    pub slug: String,
    /// List this account (`@user@host` or an actor URL) as another name.
    #[arg(long, conflicts_with = "remove")]
    pub add: Option<String>,
    /// Take this account (as listed, or `@user@host`) off the list.
    #[arg(long)]
    pub remove: Option<String>,
}

/// Arguments of `admin agency rotate-key`.
#[derive(Debug, Args)]
pub struct AgencyRotateKey {
    /// Agency slug.
    pub slug: String,
    /// Days the old key is kept to sign the announcement of the new one
    /// (its retries included); 0 signs it with the new key at once.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(0..=90))]
    pub grace_days: u32,
}

/// `deling admin search ...`.
#[derive(Debug, Subcommand)]
pub enum SearchCommand {
    /// Rebuild the index from the items (it is kept up to date as items
    /// change; rebuild after restoring a backup without it, or to apply a
    /// new version's analysis to old items).
    Reindex,
}

/// `deling admin instance ...`.
#[derive(Debug, Subcommand)]
pub enum InstanceCommand {
    /// Give the instance actor a new signing key pair (restart `serve`
    /// and `worker` processes afterwards).
    RotateKey,
}

/// Arguments of `admin agency create`.
#[derive(Debug, Args)]
pub struct AgencyCreate {
    /// Slug: a-z, 0-9 and _, at most 30; the user part of @slug@domain.
    pub slug: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    /// Organisation number (nine digits).
    #[arg(long)]
    pub org_number: Option<String>,
}

/// Arguments of `admin agency update`: only the options given change; an
/// empty value clears an optional field.
#[derive(Debug, Args)]
pub struct AgencyUpdate {
    /// Agency slug.
    pub slug: String,
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Description in Markdown (at most 2,000 characters).
    #[arg(long)]
    pub summary: Option<String>,
    /// The agency's web site.
    #[arg(long)]
    pub website: Option<String>,
    /// URL of the agency's logo.
    #[arg(long)]
    pub icon_url: Option<String>,
    /// Organisation number (nine digits).
    #[arg(long)]
    pub org_number: Option<String>,
    /// Whether other servers may find its posts by full-text search.
    #[arg(long)]
    pub indexable: Option<bool>,
}

/// `deling admin user ...`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account; the password is read from standard input.
    Create(UserCreate),
    /// Give a staff member a role in an agency.
    Grant(UserGrant),
    /// Take a staff member's role in an agency away.
    Revoke {
        /// Username.
        username: String,
        /// Agency slug.
        #[arg(long)]
        agency: String,
    },
    /// Disable an account: it can no longer log in, its web sessions end
    /// and its API tokens stop working.
    Disable {
        /// Username.
        username: String,
    },
    /// Let a disabled account log in again (its tokens work again too).
    Enable {
        /// Username.
        username: String,
    },
    /// Give an account a new password, read from standard input; every
    /// web session of it ends and every API token of it is revoked.
    SetPassword {
        /// Username.
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Make an account an instance administrator (all agencies).
    Promote {
        /// Username.
        username: String,
    },
    /// Take instance administration away from an account (its roles in
    /// agencies stay).
    Demote {
        /// Username.
        username: String,
    },
}

/// Arguments of `admin user create`.
#[derive(Debug, Args)]
pub struct UserCreate {
    /// Username: a-z, 0-9, _, . and -.
    pub username: String,
    /// Read the password from the first line of standard input.
    #[arg(long, required = true)]
    pub password_stdin: bool,
    /// Make the account an instance administrator (all agencies).
    #[arg(long)]
    pub instance_admin: bool,
}

/// Arguments of `admin user grant`.
#[derive(Debug, Args)]
pub struct UserGrant {
    /// Username.
    pub username: String,
    /// Agency slug.
    #[arg(long)]
    pub agency: String,
    /// `editor` or `admin`.
    #[arg(long)]
    pub role: String,
}

/// `deling admin token ...`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once.
    Create(TokenCreate),
    /// List a user's tokens (ids, labels, expiry; never the secrets).
    List {
        /// Username.
        username: String,
    },
    /// Revoke a token by id.
    Revoke {
        /// Token id, as printed by `token create`.
        id: i64,
    },
}

/// Arguments of `admin token create`.
#[derive(Debug, Args)]
pub struct TokenCreate {
    /// Username.
    pub username: String,
    /// A note on what the token is for.
    #[arg(long)]
    pub label: Option<String>,
    /// Expire after this many days, 1 to 3650 (default: never).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub expires_in_days: Option<u32>,
}

/// Refuses a command line with a control character in any argument (line
/// breaks and tabs excepted, for multi-line descriptions): the values of
/// `--name`, `--summary`, `--reason`, `--label` and the rest are stored, and
/// a NUL fails on PostgreSQL while SQLite would keep it. One check over
/// every argument, before clap reads them, rather than one per option.
/// Arguments that are not Unicode are left to clap, which refuses them
/// where it expects text.
pub fn check_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Result<Vec<std::ffi::OsString>, String> {
    let args: Vec<_> = args.into_iter().collect();
    for (i, arg) in args.iter().enumerate().skip(1) {
        if let Some(c) = arg
            .to_str()
            .and_then(|s| deling_domain::text::find_control(s, true))
        {
            return Err(format!(
                "argument {i} ({}) must not contain the control character U+{:04X}",
                arg.to_string_lossy().escape_debug(),
                c as u32
            ));
        }
    }
    Ok(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_in_arguments_are_refused() {
        let args = |v: &[&str]| v.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
        assert!(check_args(args(&["deling", "admin", "--reason", "spam\u{0}"])).is_err());
        assert!(check_args(args(&["deling", "x\u{1b}[2J"])).is_err());
        assert!(check_args(args(&["deling", "--summary", "linje 1\nlinje 2"])).is_ok());
    }
}
