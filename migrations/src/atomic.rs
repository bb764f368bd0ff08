//! Every migration in a transaction of its own, on SQLite as on PostgreSQL.
//!
//! sea-orm-migration wraps a migration in a transaction only on PostgreSQL
//! unless told otherwise. On SQLite a migration cut short (the process
//! killed during an upgrade, a disk that fills) would leave half its
//! changes applied and unrecorded, and the next start would fail on them
//! ("duplicate column name") with no way forward but hand-editing the
//! file. SQLite's DDL is transactional, so each migration and the row that
//! records it commit together or not at all.

use sea_orm_migration::prelude::*;

/// A migration run inside a transaction on every backend.
pub struct Atomic(Box<dyn MigrationTrait>);

impl Atomic {
    /// Wraps `migration`.
    pub fn wrap(migration: impl MigrationTrait + 'static) -> Box<dyn MigrationTrait> {
        Box::new(Self(Box::new(migration)))
    }
}

impl MigrationName for Atomic {
    fn name(&self) -> &str {
        self.0.name()
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Atomic {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.0.up(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.0.down(manager).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
