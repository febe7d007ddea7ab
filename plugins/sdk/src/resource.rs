//! The common shape of a Back Office record type: loaded by id for a page (404 naming it),
//! created, changed with the version the form was loaded with, deleted; every change written to
//! the audit log, and every storage error turned into the answer a user understands.
//!
//! Why here: each section wrote the same mapping for every record type — a unique violation
//! becomes 409 naming the field and its value, a stale version 409, anything else the generic
//! mapping — and the same `audit("<kind>.create", id, …)` after each write. A [`Resource`]
//! states those facts once per record type (its name, its unique fields, what the audit log
//! says about a record), so a handler only decides *what* to write.
//!
//! ```ignore
//! fn labels() -> Resource<LabelData> {
//!     Resource::new("labels", "label")
//!         .unique("name", "label {name} already exists")
//!         .describe("{name}")
//! }
//! let label = labels().add(&data)?;                // audits `label.create`
//! let current = labels().load_version(&id, sent)?;  // 404 / 409 before the form's rules
//! let label = labels().update(&current, &data)?;    // audits `label.edit`
//! let page = labels().query().sort("name").fetch()?; // a Resource is its collection too
//! ```
//!
//! A `Resource` dereferences to its [`Collection`], so queries and the plain writes stay one
//! call away; its own methods have names the collection does not use (`add`, `update`,
//! `remove`, …), so it is always clear which kind of write a line does.
//!
//! Messages and audit details are templates: `{field}` stands for the record's top-level field
//! of that name (a text as it is, anything else as JSON), so they are declared as data.

use std::ops::Deref;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::input;
use crate::response::Failure;
use crate::services;
use crate::storage::{Collection, Record, StorageError};

/// A record type's storage, names and rules; see the module docs.
#[derive(Debug, Clone)]
pub struct Resource<T> {
    collection: Collection<T>,
    what: &'static str,
    audit: String,
    unique: Vec<(&'static str, &'static str)>,
    describe: &'static str,
    conflict: Option<&'static str>,
}

/// `template` with every `{field}` replaced by that field of `data`.
fn fill<T: Serialize>(template: &str, data: &T) -> String {
    if !template.contains('{') {
        return template.to_owned();
    }
    let record = serde_json::to_value(data).unwrap_or(Value::Null);
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        match record.get(&rest[open + 1..open + close]) {
            Some(Value::String(text)) => out.push_str(text),
            Some(other) => out.push_str(&other.to_string()),
            None => {}
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

impl<T: Serialize + DeserializeOwned> Resource<T> {
    /// The records of `collection`, called `what` in messages (`"option group"`). Audit
    /// actions are `<what, spaces as dashes>.<verb>` (`option-group.create`).
    pub fn new(collection: &str, what: &'static str) -> Self {
        Resource {
            collection: Collection::new(collection),
            what,
            audit: what.replace(' ', "-"),
            unique: Vec::new(),
            describe: "",
            conflict: None,
        }
    }

    /// Audit actions start with `prefix` instead (`unit` for `business unit`).
    pub fn audit_as(mut self, prefix: &str) -> Self {
        self.audit = prefix.to_owned();
        self
    }

    /// A write that would give another record the same `field` answers 409 with `message`,
    /// a template filled from the refused record (`"SKU {sku} already exists"`).
    pub fn unique(mut self, field: &'static str, message: &'static str) -> Self {
        self.unique.push((field, message));
        self
    }

    /// What the audit log says about a record, a template (`"{sku}"`, `"company
    /// {company_id}"`); empty by default.
    pub fn describe(mut self, detail: &'static str) -> Self {
        self.describe = detail;
        self
    }

    /// The 409 message when a write loses a race against another writer of the same record
    /// (default: `the <what> was changed by someone else meanwhile; reload and try again`).
    pub fn on_conflict(mut self, message: &'static str) -> Self {
        self.conflict = Some(message);
        self
    }

    /// The record `id`, or 404 `<what> <id> not found`.
    pub fn load(&self, id: &str) -> Result<Record<T>, Failure> {
        match self.collection.get(id) {
            Ok(r) => Ok(r),
            Err(StorageError::NotFound) => {
                Err(Failure::not_found(format!("{} {id} not found", self.what)))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The record `id` for an edit of version `sent` (when the client sent one): 404 as
    /// [`Resource::load`], 409 when it has changed since (see [`input::check_version`]).
    pub fn load_version(&self, id: &str, sent: Option<i64>) -> Result<Record<T>, Failure> {
        let current = self.load(id)?;
        input::check_version(&format!("{} {id}", self.what), sent, current.version)?;
        Ok(current)
    }

    /// The answer for a failed write of `data`: a unique field named, a lost race, or the
    /// generic mapping of [`StorageError`].
    pub fn failure(&self, error: StorageError, data: &T) -> Failure {
        match error {
            StorageError::UniqueViolation(field) => {
                match self.unique.iter().find(|(f, _)| *f == field) {
                    Some((_, message)) => Failure::conflict(fill(message, data)),
                    None => StorageError::UniqueViolation(field).into(),
                }
            }
            StorageError::Conflict(_) => Failure::conflict(self.conflict.map_or_else(
                || {
                    format!(
                        "the {} was changed by someone else meanwhile; reload and try again",
                        self.what
                    )
                },
                str::to_owned,
            )),
            e => e.into(),
        }
    }

    /// Writes the audit entry `<prefix>.<verb>` for `record`.
    pub fn audit(&self, verb: &str, record: &Record<T>) {
        services::audit(
            &format!("{}.{verb}", self.audit),
            &record.id,
            &fill(self.describe, &record.data),
        );
    }

    /// Stores a new record under a generated id; audited as `create`.
    pub fn add(&self, data: &T) -> Result<Record<T>, Failure> {
        let record = self
            .collection
            .insert(data)
            .map_err(|e| self.failure(e, data))?;
        self.audit("create", &record);
        Ok(record)
    }

    /// Stores a new record under `id` (a reference the plugin chose; 409 when taken); audited
    /// as `create`.
    pub fn add_at(&self, id: &str, data: &T) -> Result<Record<T>, Failure> {
        let record = self
            .collection
            .create(id, data)
            .map_err(|e| self.failure(e, data))?;
        self.audit("create", &record);
        Ok(record)
    }

    /// Replaces `current` with `data` if nobody wrote it since it was read; audited as `edit`.
    pub fn update(&self, current: &Record<T>, data: &T) -> Result<Record<T>, Failure> {
        self.change("edit", current, data)
    }

    /// Like [`Resource::update`], audited as `verb` (`activate`, `discontinue`).
    pub fn change(&self, verb: &str, current: &Record<T>, data: &T) -> Result<Record<T>, Failure> {
        let record = self.save(current, data)?;
        self.audit(verb, &record);
        Ok(record)
    }

    /// Replaces `current` with `data` if nobody wrote it since it was read, without an audit
    /// entry: for writes that are part of a larger change the caller audits.
    pub fn save(&self, current: &Record<T>, data: &T) -> Result<Record<T>, Failure> {
        self.collection
            .replace(&current.id, data, current.version)
            .map_err(|e| self.failure(e, data))
    }

    /// Deletes `record`; audited as `delete`.
    pub fn remove(&self, record: &Record<T>) -> Result<(), Failure> {
        self.collection
            .delete(&record.id)
            .map_err(|e| self.failure(e, &record.data))?;
        self.audit("delete", record);
        Ok(())
    }
}

/// Queries and plain writes: a resource is its collection.
impl<T> Deref for Resource<T> {
    type Target = Collection<T>;

    fn deref(&self) -> &Collection<T> {
        &self.collection
    }
}

/// A record as answered to a page or a script: its stored fields beside `id` and `version` (the
/// version a form sends back for the optimistic check).
#[derive(Debug, Clone, Serialize)]
pub struct Out<T> {
    pub id: String,
    pub version: i64,
    #[serde(flatten)]
    pub data: T,
}

impl<T> From<Record<T>> for Out<T> {
    fn from(r: Record<T>) -> Self {
        Out {
            id: r.id,
            version: r.version,
            data: r.data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
    struct Label {
        name: String,
        priority: i64,
    }

    fn labels() -> Resource<Label> {
        Resource::new("labels", "option group")
            .unique("name", "label {name} already exists")
            .describe("{name} ({priority}{missing})")
    }

    #[test]
    fn templates_are_filled_from_the_record() {
        let label = Label {
            name: "New".into(),
            priority: 3,
        };
        assert_eq!(fill(labels().describe, &label), "New (3)");
        assert_eq!(fill("plain", &label), "plain");
        assert_eq!(fill("open {name", &label), "open {name");
    }

    #[test]
    fn storage_errors_become_answers_naming_the_record() {
        let data = Label {
            name: "New".into(),
            priority: 0,
        };
        let unique = labels().failure(StorageError::UniqueViolation("name".into()), &data);
        assert_eq!(
            (unique.status, unique.message.as_str()),
            (409, "label New already exists")
        );
        let other = labels().failure(StorageError::UniqueViolation("slug".into()), &data);
        assert_eq!(other.message, "duplicate value for slug");
        let race = labels().failure(StorageError::Conflict("v".into()), &data);
        assert_eq!(
            (race.status, race.message.as_str()),
            (
                409,
                "the option group was changed by someone else meanwhile; reload and try again"
            )
        );
        let cart = Resource::<Label>::new("carts", "cart").on_conflict("try again");
        assert_eq!(
            cart.failure(StorageError::Conflict("v".into()), &data)
                .message,
            "try again"
        );
        assert_eq!(labels().failure(StorageError::NotFound, &data).status, 404);
        assert_eq!(labels().audit, "option-group");
        assert_eq!(labels().audit_as("group").audit, "group");
    }

    #[test]
    fn out_flattens_the_record_beside_id_and_version() {
        let out = Out::from(Record {
            id: "l1".into(),
            data: Label {
                name: "New".into(),
                priority: 1,
            },
            version: 3,
            created_at: 0,
            updated_at: 0,
        });
        assert_eq!(
            serde_json::to_value(out).unwrap(),
            serde_json::json!({"id": "l1", "version": 3, "name": "New", "priority": 1})
        );
    }
}
