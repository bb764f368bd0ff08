//! Staff credentials: usernames, passwords, roles and API tokens.

use crate::Invalid;
use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::{fmt, str::FromStr};

/// A staff member's login name: `[a-z0-9_.-]{1,64}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    /// Parses a username.
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        if s.is_empty() || s.len() > 64 {
            return Err(Invalid::new("a username must be 1 to 64 characters"));
        }
        if let Some(c) = s.chars().find(|c| {
            !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '.' | '-'))
        }) {
            return Err(Invalid::new(format!(
                "a username may contain only a-z, 0-9, _, . and - (found {c:?})"
            )));
        }
        Ok(Self(s.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A new password, long enough to resist guessing.
pub struct Password(String);

impl Password {
    /// Fewest characters accepted for a new password.
    pub const MIN_CHARS: usize = 10;

    /// Checks length (10 to 1024 characters).
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        let n = s.chars().count();
        if n < Self::MIN_CHARS {
            return Err(Invalid::new(format!(
                "a password must be at least {} characters",
                Self::MIN_CHARS
            )));
        }
        if n > 1024 {
            return Err(Invalid::new("a password must be at most 1024 characters"));
        }
        Ok(Self(s.to_owned()))
    }

    /// Hashes with argon2id and a random salt, as a PHC string.
    pub fn hash(&self) -> String {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(self.0.as_bytes(), &salt)
            .map(|h| h.to_string())
            // argon2 fails only on parameters out of range; the defaults are in range.
            .unwrap_or_default()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Checks `password` against a stored PHC hash; a malformed hash never matches.
pub fn verify_password(password: &str, phc_hash: &str) -> bool {
    PasswordHash::new(phc_hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A staff member's role in one agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Publishes and edits the agency's items.
    Editor,
    /// An editor who also manages the agency and its staff.
    Admin,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Editor => "editor",
            Self::Admin => "admin",
        }
    }
}

impl FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        match s {
            "editor" => Ok(Self::Editor),
            "admin" => Ok(Self::Admin),
            _ => Err(Invalid::new(format!(
                "{s:?} is not a role; use editor or admin"
            ))),
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A freshly made API token: shown to its owner once, stored only as a hash.
pub struct NewToken {
    /// The secret, `dlg_` and 64 hex digits (256 random bits).
    pub secret: String,
    /// What the database keeps.
    pub hash: String,
}

impl NewToken {
    /// Makes a token from the operating system's random source.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let secret = format!("dlg_{}", hex::encode(bytes));
        let hash = token_hash(&secret);
        Self { secret, hash }
    }
}

/// The stored form of a token. A fast hash suffices: tokens carry 256 bits of
/// entropy, so there is nothing to brute-force, and lookups stay cheap.
pub fn token_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether two secrets are equal, in time that does not depend on where
/// they first differ (for CSRF tokens compared with what a form sent).
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_secret_compares_whole_strings() {
        assert!(same_secret("dlg_ab", "dlg_ab"));
        assert!(!same_secret("dlg_ab", "dlg_ac"));
        assert!(!same_secret("dlg_ab", "dlg_a"));
        assert!(!same_secret("", "x"));
    }

    #[test]
    fn password_hash_verifies() {
        let p = Password::parse("correct horse battery").expect("long enough");
        let h = p.hash();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(Password::parse("short").is_err());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = NewToken::generate();
        let b = NewToken::generate();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), 68);
        assert_eq!(token_hash(&a.secret), a.hash);
        assert!(!a.hash.contains(&a.secret[4..]));
    }

    #[test]
    fn usernames_and_roles() {
        assert!(Username::parse("kari.nordmann").is_ok());
        assert!(Username::parse("Kari").is_err());
        assert_eq!("editor".parse::<Role>(), Ok(Role::Editor));
        assert!("owner".parse::<Role>().is_err());
    }
}
