//! The closed sets of names the API takes and gives (item kinds, roles,
//! severities, ...), as OpenAPI enums.
//!
//! These types are schemas only: the bodies and queries still read such
//! fields as text, so that a wrong value is a `422` (or, in a query, a
//! `400`) naming the field and the values allowed, which a parser error on
//! an enum would not say. The domain types are the truth; the tests below
//! hold each list equal to its domain type's names.

use utoipa::ToSchema;

/// What sort of thing an item shares.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(as = ItemKind, rename_all = "snake_case")]
pub enum ItemKindName {
    /// A guide or practice.
    Guide,
    /// A dataset or API.
    Dataset,
    /// A software component.
    Software,
    /// A public service description.
    Service,
    /// A question to peers.
    Question,
    /// An event.
    Event,
}

/// A staff member's role in an agency.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(as = Role, rename_all = "snake_case")]
pub enum RoleName {
    /// Publishes, edits, comments, follows and shares.
    Editor,
    /// An editor who also manages the profile and the staff.
    Admin,
}

/// What a domain policy does.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(as = Severity, rename_all = "snake_case")]
pub enum SeverityName {
    /// Nothing in, nothing out.
    Suspend,
    /// Comments held for a moderator, items kept out of the catalogue.
    Silence,
    /// Federates, without images and attachments.
    RejectMedia,
    /// Allowed (what counts in allow-list mode).
    Allow,
}

/// Whether unknown domains federate.
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(as = FederationMode, rename_all = "snake_case")]
pub enum FederationModeName {
    /// Everyone but blocked domains.
    Blocklist,
    /// Only domains with severity `allow`.
    Allowlist,
}

/// Where listed items come from (`GET /api/v1/items?origin=`).
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(as = ItemOrigin, rename_all = "snake_case")]
pub enum OriginName {
    /// Published by agencies on this server.
    Local,
    /// Received from followed actors on other servers.
    Remote,
    /// Both.
    All,
}

/// Which reports to list (`GET /api/v1/admin/reports?status=`).
#[derive(Debug, Clone, Copy, ToSchema)]
#[schema(as = ReportStatusFilter, rename_all = "snake_case")]
pub enum ReportStatusName {
    /// Not yet resolved.
    Open,
    /// Open and resolved.
    All,
}

#[cfg(test)]
mod tests {
    use super::*;
    use deling_domain::{
        auth::Role,
        item::ItemKind,
        policy::{FederationMode, Severity},
    };
    use utoipa::PartialSchema;

    /// The `enum` values of a schema, as served.
    fn values<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        schema["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("no enum in {schema}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn item_kinds_are_the_domains() {
        let domain: Vec<&str> = ItemKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(values::<ItemKindName>(), domain);
    }

    /// Each listed name parses to the domain value of that name, and (by
    /// the exhaustive `match`es) every domain value is listed: a variant
    /// added to the domain fails to compile here until it is listed.
    #[test]
    fn roles_severities_and_modes_are_the_domains() {
        let role = |r: Role| match r {
            Role::Editor | Role::Admin => r.as_str().to_owned(),
        };
        let listed = values::<RoleName>();
        for name in &listed {
            assert_eq!(role(name.parse().unwrap()), *name);
        }
        for r in [Role::Editor, Role::Admin] {
            assert!(listed.contains(&role(r)), "{r} is not listed");
        }

        let severity = |s: Severity| match s {
            Severity::Suspend | Severity::Silence | Severity::RejectMedia | Severity::Allow => {
                s.as_str().to_owned()
            }
        };
        let listed = values::<SeverityName>();
        for name in &listed {
            assert_eq!(severity(name.parse().unwrap()), *name);
        }
        for s in [
            Severity::Suspend,
            Severity::Silence,
            Severity::RejectMedia,
            Severity::Allow,
        ] {
            assert!(listed.contains(&severity(s)), "{s} is not listed");
        }

        let mode = |m: FederationMode| match m {
            FederationMode::Blocklist | FederationMode::Allowlist => m.as_str().to_owned(),
        };
        let listed = values::<FederationModeName>();
        for name in &listed {
            assert_eq!(mode(name.parse().unwrap()), *name);
        }
        for m in [FederationMode::Blocklist, FederationMode::Allowlist] {
            assert!(listed.contains(&mode(m)), "{} is not listed", m.as_str());
        }
    }
}
