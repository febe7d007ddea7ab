//! `storage`: collections of JSON records, scoped to the calling plugin.

use crate::plugins::bindings::storage::{self, Document, Filter, Page, QuerySpec, StorageError};
use crate::plugins::call::CallState;

fn unavailable() -> StorageError {
    StorageError::Internal("storage is being wired in".into())
}

impl storage::Host for CallState {
    async fn get(
        &mut self,
        _collection: String,
        _id: String,
    ) -> wasmtime::Result<Result<Document, StorageError>> {
        Ok(Err(unavailable()))
    }

    async fn put(
        &mut self,
        _collection: String,
        _id: Option<String>,
        _data: String,
        _expected: Option<i64>,
    ) -> wasmtime::Result<Result<Document, StorageError>> {
        Ok(Err(unavailable()))
    }

    async fn patch(
        &mut self,
        _collection: String,
        _id: String,
        _changes: String,
        _expected: Option<i64>,
    ) -> wasmtime::Result<Result<Document, StorageError>> {
        Ok(Err(unavailable()))
    }

    async fn delete(
        &mut self,
        _collection: String,
        _id: String,
    ) -> wasmtime::Result<Result<(), StorageError>> {
        Ok(Err(unavailable()))
    }

    async fn query(
        &mut self,
        _collection: String,
        _q: QuerySpec,
    ) -> wasmtime::Result<Result<Page, StorageError>> {
        Ok(Err(unavailable()))
    }

    async fn count(
        &mut self,
        _collection: String,
        _filter: Filter,
    ) -> wasmtime::Result<Result<u64, StorageError>> {
        Ok(Err(unavailable()))
    }
}
