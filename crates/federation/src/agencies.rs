//! Creating a local agency: its slug, name and organisation number
//! checked, its signing key pair made, and the row stored, with an audit
//! entry. The command line (`deling admin agency create`) and the staff
//! pages create agencies through [`create_agency`], so both check the same
//! things.

use crate::{
    keys::{self, KeyError},
    policy::ChangedBy,
};
use deling_domain::{FieldError, agency::OrgNumber, slug::Slug, text::DisplayName};
use deling_store::{
    Store, StoreError,
    queries::{agency::NewAgency, audit::Audit},
    records::Agency,
};

/// Why an agency was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateAgencyError {
    /// Fields that do not parse (`slug`, `name`, `org_number`), each with
    /// what is wrong; nothing was stored.
    #[error("invalid agency: {}", describe(.0))]
    Invalid(Vec<FieldError>),
    /// The slug is, or was, another agency's (withdrawn slugs are not
    /// given out again).
    #[error("an agency with slug {0:?} already exists")]
    Taken(String),
    /// No key pair could be made.
    #[error(transparent)]
    Keys(#[from] KeyError),
    /// The thread making the key pair failed.
    #[error("the key pair could not be made: {0}")]
    Task(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{}: {}", e.field, e.problem))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a new agency starts with, as typed.
#[derive(Debug, Clone, Copy)]
pub struct AgencyInput<'a> {
    /// Slug: a-z, 0-9 and _; the user part of `@slug@domain`.
    pub slug: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Organisation number, if any (empty counts as none).
    pub org_number: Option<&'a str>,
}

/// Creates the agency `input` describes, as `by`, and writes the audit
/// entry `agency.create` (with the organisation number) once it is stored. The key pair is made on a blocking
/// thread: RSA key generation takes long enough to stall a server's
/// other requests.
pub async fn create_agency(
    store: &Store,
    input: AgencyInput<'_>,
    by: ChangedBy<'_>,
) -> Result<Agency, CreateAgencyError> {
    let mut errors = Vec::new();
    let slug = Slug::parse(input.slug.trim())
        .map_err(|e| errors.push(FieldError::new("slug", e)))
        .ok();
    let name = DisplayName::parse(input.name)
        .map_err(|e| errors.push(FieldError::new("name", e)))
        .ok();
    let org_number = match input.org_number.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(s) => OrgNumber::parse(s)
            .map(Some)
            .map_err(|e| errors.push(FieldError::new("org_number", e)))
            .ok(),
    };
    let (Some(slug), Some(name), Some(org_number)) = (slug, name, org_number) else {
        return Err(CreateAgencyError::Invalid(errors));
    };
    if store.get_agency_by_slug(slug.as_str()).await?.is_some() {
        return Err(CreateAgencyError::Taken(slug.to_string()));
    }
    let kp = tokio::task::spawn_blocking(keys::generate)
        .await
        .map_err(|e| CreateAgencyError::Task(e.to_string()))??;
    let audit = Audit::new(by.staff_id, by.name, "agency.create", slug.as_str())
        .with("org_number", org_number.as_ref().map(ToString::to_string));
    let agency = store
        .put_agency_audited(
            NewAgency {
                slug,
                name,
                org_number,
                public_key_pem: kp.public_key_pem,
                private_key_pem: kp.private_key_pem,
            },
            Some(&audit),
        )
        .await
        .map_err(|e| match e {
            // Two creations of the same slug at once: the database's
            // unique index decides, and the loser hears why.
            StoreError::Conflict(_) => CreateAgencyError::Taken(input.slug.trim().to_owned()),
            other => other.into(),
        })?;
    Ok(agency)
}
