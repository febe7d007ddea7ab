//! What a plugin asks to reach beyond its own data, and whether the admin has granted it.
//!
//! A plugin's own collections are its own; everything else is a request the admin sees at
//! install and upgrade: another section's shared collections it reads, capabilities (host
//! interfaces with power over more than its data), extension points it provides or invokes,
//! and event topics it subscribes to. A version whose requests all lie within what the admin
//! approved for its id activates at once (so an upgrade asking the same or less swaps live);
//! one asking for more waits, pending, until approved. This type only compares; the loader
//! decides what to do with the answer and `states` keeps the approvals.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::manifest::Manifest;

/// Everything a plugin version asks for beyond its own data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requests {
    /// Shared collections of other plugins, as `plugin/collection`.
    #[serde(default)]
    pub reads: BTreeSet<String>,
    #[serde(default)]
    pub capabilities: BTreeSet<String>,
    #[serde(default)]
    pub provides: BTreeSet<String>,
    #[serde(default)]
    pub invokes: BTreeSet<String>,
    #[serde(default)]
    pub subscribes: BTreeSet<String>,
}

impl Requests {
    /// What `manifest` asks for.
    pub fn of(manifest: &Manifest) -> Requests {
        Requests {
            reads: manifest
                .reads
                .iter()
                .map(|g| format!("{}/{}", g.plugin, g.collection))
                .collect(),
            capabilities: manifest.capabilities.iter().cloned().collect(),
            provides: manifest.provides.iter().map(|p| p.point.clone()).collect(),
            invokes: manifest.invokes.iter().cloned().collect(),
            subscribes: manifest.subscribes.iter().cloned().collect(),
        }
    }

    /// What `self` asks for that `approved` does not grant.
    pub fn beyond(&self, approved: &Requests) -> Requests {
        let minus = |asked: &BTreeSet<String>, granted: &BTreeSet<String>| {
            asked.difference(granted).cloned().collect()
        };
        Requests {
            reads: minus(&self.reads, &approved.reads),
            capabilities: minus(&self.capabilities, &approved.capabilities),
            provides: minus(&self.provides, &approved.provides),
            invokes: minus(&self.invokes, &approved.invokes),
            subscribes: minus(&self.subscribes, &approved.subscribes),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.reads.is_empty()
            && self.capabilities.is_empty()
            && self.provides.is_empty()
            && self.invokes.is_empty()
            && self.subscribes.is_empty()
    }

    /// One line for logs and the audit log, e.g. `reads customers/customers; invokes sales.x`.
    pub fn summary(&self) -> String {
        let parts = [
            ("reads", &self.reads),
            ("capabilities", &self.capabilities),
            ("provides", &self.provides),
            ("invokes", &self.invokes),
            ("subscribes to", &self.subscribes),
        ];
        let shown: Vec<String> = parts
            .iter()
            .filter(|(_, items)| !items.is_empty())
            .map(|(what, items)| {
                format!(
                    "{what} {}",
                    items.iter().cloned().collect::<Vec<_>>().join(", ")
                )
            })
            .collect();
        if shown.is_empty() {
            "nothing beyond its own data".into()
        } else {
            shown.join("; ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asks(reads: &[&str], invokes: &[&str]) -> Requests {
        Requests {
            reads: reads.iter().map(|s| s.to_string()).collect(),
            invokes: invokes.iter().map(|s| s.to_string()).collect(),
            ..Requests::default()
        }
    }

    #[test]
    fn asking_the_same_or_less_needs_nothing_new() {
        let approved = asks(&["customers/customers", "catalog/products"], &["sales.x"]);
        assert!(
            asks(&["customers/customers"], &[])
                .beyond(&approved)
                .is_empty()
        );
        assert!(approved.beyond(&approved).is_empty());
    }

    #[test]
    fn asking_more_names_exactly_what_is_new() {
        let approved = asks(&["customers/customers"], &[]);
        let upgrade = asks(&["customers/customers", "customers/groups"], &["sales.x"]);
        let missing = upgrade.beyond(&approved);
        assert_eq!(missing, asks(&["customers/groups"], &["sales.x"]));
        assert_eq!(missing.summary(), "reads customers/groups; invokes sales.x");
        assert!(!missing.is_empty());
    }

    #[test]
    fn nothing_asked_reads_as_such() {
        assert!(Requests::default().is_empty());
        assert_eq!(Requests::default().summary(), "nothing beyond its own data");
    }
}
