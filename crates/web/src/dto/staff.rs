//! Staff: logging in, tokens, the caller, and agency membership.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Credentials for `POST /api/v1/auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Username.
    pub username: String,
    /// Password.
    pub password: String,
}

/// A new bearer token, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    /// When it stops working.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Body of `PUT /api/v1/agencies/{slug}/members/{username}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberBody {
    /// `editor` (publishes, edits, comments, follows, shares) or `admin`
    /// (also manages the profile and the staff).
    #[schema(value_type = super::RoleName)]
    pub role: String,
}

/// A staff member's role in an agency.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// Username.
    pub username: String,
    /// `editor` or `admin`.
    #[schema(value_type = super::RoleName)]
    pub role: String,
    /// Whether the account is an instance admin as well.
    pub instance_admin: bool,
}

/// The caller: `GET /api/v1/me`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    /// Username.
    pub username: String,
    /// An instance admin acts for every agency.
    pub instance_admin: bool,
    /// The agencies the caller has a role in.
    pub agencies: Vec<MembershipView>,
}

/// One of the caller's roles.
#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    /// Agency slug.
    pub slug: String,
    /// Agency name.
    pub name: String,
    /// `editor` or `admin`.
    #[schema(value_type = super::RoleName)]
    pub role: String,
}
