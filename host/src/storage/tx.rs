//! Atomic steps inside the caller's transaction.
//!
//! Owns the nested transaction every multi-statement storage operation runs in: a savepoint when
//! the caller's connection is already in a transaction (the plugin runtime's one-transaction-per-
//! call), a transaction of its own otherwise. A failed step is rolled back to the savepoint, so
//! the caller's transaction stays usable (PostgreSQL would otherwise refuse every later
//! statement). Must never commit or roll back the caller's own transaction.

use sqlx::{Any, Transaction};

use super::error::StorageResult;

/// Ends a step: releases the savepoint on success, rolls back to it on failure.
pub(crate) async fn finish<T>(
    tx: Transaction<'_, Any>,
    result: StorageResult<T>,
) -> StorageResult<T> {
    match result {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(error = %rollback, "rolling back a failed storage step");
            }
            Err(err)
        }
    }
}
