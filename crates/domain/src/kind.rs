//! What sort of thing an item shares: the one list of kinds, which the
//! item, its kind-specific metadata and search all name.

use crate::Invalid;
use std::{fmt, str::FromStr};

/// What sort of thing an item shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemKind {
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

impl ItemKind {
    /// Every kind, in the order shown to users.
    pub const ALL: [ItemKind; 6] = [
        Self::Guide,
        Self::Dataset,
        Self::Software,
        Self::Service,
        Self::Question,
        Self::Event,
    ];

    /// The kind's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Guide => "guide",
            Self::Dataset => "dataset",
            Self::Software => "software",
            Self::Service => "service",
            Self::Question => "question",
            Self::Event => "event",
        }
    }
}

impl FromStr for ItemKind {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            Invalid::new(format!(
                "{s:?} is not a kind; use one of guide, dataset, software, service, question, event"
            ))
        })
    }
}

impl fmt::Display for ItemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
