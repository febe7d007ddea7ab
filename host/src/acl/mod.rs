//! Access control with Spryker's semantics made explicit.
//!
//! Users belong to groups, groups have roles, roles have rules `(section, controller, action,
//! allow|deny)` where any part may be `*`. A request is allowed when at least one rule of the user
//! allows it and no rule denies it: deny by default, deny wins, a user without groups (hence
//! without rules) is denied everything.
//!
//! The only way to obtain a [`Granted`] is [`grant`], so a handler that takes one cannot run
//! without the check having passed. Failures are [`AclError`]s; nothing here knows HTTP (the
//! guard that asks [`grant`] for every `/admin/...` request is `web::guard`).

mod error;
pub mod grant;
pub mod store;

use serde::{Deserialize, Serialize};

pub use error::{AclError, AclResult};
pub use grant::{Granted, grant, permissions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    Allow,
    Deny,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        }
    }

    pub fn parse(value: &str) -> Option<Effect> {
        match value {
            "allow" => Some(Effect::Allow),
            "deny" => Some(Effect::Deny),
            _ => None,
        }
    }
}

/// One rule of a role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub section: String,
    pub controller: String,
    pub action: String,
    pub effect: Effect,
}

/// What a request asks for: `/admin/<section>/<controller>/<action>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resource {
    pub section: String,
    pub controller: String,
    pub action: String,
}

impl Resource {
    pub fn new(section: &str, controller: &str, action: &str) -> Resource {
        Resource {
            section: section.to_owned(),
            controller: controller.to_owned(),
            action: action.to_owned(),
        }
    }

    /// The resource a path under `/admin` names; missing parts default to `index`, and
    /// `/admin` itself is the dashboard.
    pub fn from_admin_path(path: &str) -> Resource {
        let rest = path.strip_prefix("/admin").unwrap_or(path);
        let mut parts = rest.split('/').filter(|p| !p.is_empty());
        let section = parts.next().unwrap_or("dashboard");
        let controller = parts.next().unwrap_or("index");
        let action = parts.next().unwrap_or("index");
        Resource::new(section, controller, action)
    }

    pub fn describe(&self) -> String {
        format!("{}/{}/{}", self.section, self.controller, self.action)
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

/// The rules in force for one user (the union over their groups' roles).
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    rules: Vec<Rule>,
}

impl Permissions {
    pub fn new(rules: Vec<Rule>) -> Permissions {
        Permissions { rules }
    }

    pub fn allows(&self, resource: &Resource) -> bool {
        self.can(&resource.section, &resource.controller, &resource.action)
    }

    /// Deny by default; any matching deny wins over any matching allow.
    pub fn can(&self, section: &str, controller: &str, action: &str) -> bool {
        let mut allowed = false;
        for rule in &self.rules {
            let matches = part_matches(&rule.section, section)
                && part_matches(&rule.controller, controller)
                && part_matches(&rule.action, action);
            if matches {
                match rule.effect {
                    Effect::Deny => return false,
                    Effect::Allow => allowed = true,
                }
            }
        }
        allowed
    }
}

fn part_matches(pattern: &str, value: &str) -> bool {
    pattern == "*" || pattern == value
}

impl Permissions {
    /// Whether these permissions allow everything `rule` names (whatever its effect: setting a
    /// deny over resources one cannot reach is not one's to do either). Decided conservatively:
    /// one allow rule at least as broad, and no deny rule that could match any of them. An
    /// admin passes on only what they hold themselves (no escalation through roles, groups
    /// or another user's account).
    pub fn covers(&self, rule: &Rule) -> bool {
        let parts = |r: &Rule| [r.section.clone(), r.controller.clone(), r.action.clone()];
        let wanted = parts(rule);
        let allowed = self.rules.iter().any(|r| {
            r.effect == Effect::Allow
                && parts(r)
                    .iter()
                    .zip(&wanted)
                    .all(|(broad, narrow)| broad == "*" || broad == narrow)
        });
        let denied = self.rules.iter().any(|r| {
            r.effect == Effect::Deny
                && parts(r)
                    .iter()
                    .zip(&wanted)
                    .all(|(a, b)| a == "*" || b == "*" || a == b)
        });
        allowed && !denied
    }

    /// The first of `rules` (allow rules: what they would let someone do) these permissions do
    /// not cover.
    pub fn first_uncovered<'a>(&self, rules: &'a [Rule]) -> Option<&'a Rule> {
        rules
            .iter()
            .filter(|r| r.effect == Effect::Allow)
            .find(|r| !self.covers(r))
    }

    /// The rules in force.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// `Ok` when these permissions cover every allow rule of `rules`, else the refusal, saying
    /// what could not be done (`action`, e.g. "give this group to a user").
    pub fn check_covers(&self, rules: &[Rule], action: &str) -> AclResult<()> {
        match self.first_uncovered(rules) {
            None => Ok(()),
            Some(rule) => Err(AclError::Beyond(format!(
                "You cannot {action}: it carries the right {}/{}/{}, which you do not hold yourself.",
                rule.section, rule.controller, rule.action
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str, c: &str, a: &str, effect: Effect) -> Rule {
        Rule {
            section: s.into(),
            controller: c.into(),
            action: a.into(),
            effect,
        }
    }

    #[test]
    fn only_what_one_holds_can_be_passed_on() {
        let clerk = Permissions::new(vec![
            rule("catalog", "*", "*", Effect::Allow),
            rule("catalog", "*", "delete", Effect::Deny),
        ]);
        assert!(clerk.covers(&rule("catalog", "products", "index", Effect::Allow)));
        assert!(!clerk.covers(&rule("catalog", "products", "*", Effect::Deny)));
        assert!(!clerk.covers(&rule("catalog", "*", "*", Effect::Allow)));
        assert!(!clerk.covers(&rule("*", "*", "*", Effect::Allow)));
        assert!(!clerk.covers(&rule("acl", "users", "index", Effect::Allow)));
        let admin = Permissions::new(vec![rule("*", "*", "*", Effect::Allow)]);
        assert!(admin.covers(&rule("*", "*", "*", Effect::Allow)));
        assert_eq!(admin.first_uncovered(clerk.rules()), None);
        assert_eq!(
            clerk.first_uncovered(admin.rules()),
            Some(&rule("*", "*", "*", Effect::Allow))
        );
    }

    #[test]
    fn nothing_is_allowed_without_rules() {
        assert!(!Permissions::default().can("acl", "users", "index"));
    }

    #[test]
    fn wildcards_match_any_part() {
        let p = Permissions::new(vec![rule("acl", "*", "index", Effect::Allow)]);
        assert!(p.can("acl", "users", "index"));
        assert!(p.can("acl", "roles", "index"));
        assert!(!p.can("acl", "users", "edit"));
        assert!(!p.can("catalog", "users", "index"));
    }

    #[test]
    fn deny_wins_over_allow_in_any_order() {
        let allow = rule("*", "*", "*", Effect::Allow);
        let deny = rule("acl", "users", "delete", Effect::Deny);
        for rules in [vec![allow.clone(), deny.clone()], vec![deny, allow]] {
            let p = Permissions::new(rules);
            assert!(!p.can("acl", "users", "delete"));
            assert!(p.can("acl", "users", "edit"));
        }
    }

    #[test]
    fn admin_paths_default_to_index() {
        assert_eq!(
            Resource::from_admin_path("/admin"),
            Resource::new("dashboard", "index", "index")
        );
        assert_eq!(
            Resource::from_admin_path("/admin/acl"),
            Resource::new("acl", "index", "index")
        );
        assert_eq!(
            Resource::from_admin_path("/admin/acl/users/edit/extra"),
            Resource::new("acl", "users", "edit")
        );
    }
}
