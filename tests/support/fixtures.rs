//! Fixtures written straight to the database (users, groups, roles, rules) and readers of what the
//! app wrote (audit rows, whole-table snapshots).

use backoffice::acl::store::{self, Kind, Link};
use backoffice::acl::{Effect, Rule};
use backoffice::auth::password;
use backoffice::db::Db;
use backoffice::users::{self, NewUser};
use sqlx::Row;

use crate::{START, TestApp};

/// One row of `audit_log`.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub ip: String,
}

impl AuditRow {
    /// Every text the row holds, for scanning for secrets.
    pub fn text(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.actor, self.action, self.target, self.detail, self.ip
        )
    }
}

pub async fn user_id(db: &Db, email: &str) -> Option<i64> {
    sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(db.pool())
        .await
        .expect("querying users")
}

/// A rule as `(section, controller, action, "allow" | "deny")`.
pub type RuleSpec<'a> = (&'a str, &'a str, &'a str, &'a str);

impl TestApp {
    /// Creates an active user directly in the store, member of `groups`.
    pub async fn create_user(&self, email: &str, password: &str, groups: &[i64]) -> i64 {
        let hash = password::hash_off_thread(password)
            .await
            .expect("hashing a password");
        let new = NewUser {
            email,
            name: email,
            password_hash: &hash,
            locale: "en",
        };
        let id = users::create(&self.db, &new, START)
            .await
            .expect("creating a user");
        store::set_links(&self.db, Link::UserGroups, id, groups)
            .await
            .expect("linking groups");
        id
    }

    /// Creates a role with the given rules.
    pub async fn create_role(&self, name: &str, rules: &[RuleSpec<'_>]) -> i64 {
        let id = store::create(&self.db, Kind::Role, name, "", START)
            .await
            .expect("creating a role");
        for (section, controller, action, effect) in rules {
            let rule = Rule {
                section: (*section).into(),
                controller: (*controller).into(),
                action: (*action).into(),
                effect: Effect::parse(effect).expect("effect is allow or deny"),
            };
            store::add_rule(&self.db, id, &rule)
                .await
                .expect("adding a rule");
        }
        id
    }

    /// Creates a group with the given roles.
    pub async fn create_group(&self, name: &str, roles: &[i64]) -> i64 {
        let id = store::create(&self.db, Kind::Group, name, "", START)
            .await
            .expect("creating a group");
        store::set_links(&self.db, Link::GroupRoles, id, roles)
            .await
            .expect("linking roles");
        id
    }

    /// A user whose only group has one role with exactly `rules`.
    pub async fn user_with_rules(
        &self,
        email: &str,
        password: &str,
        rules: &[RuleSpec<'_>],
    ) -> i64 {
        let role = self.create_role(&format!("role of {email}"), rules).await;
        let group = self
            .create_group(&format!("group of {email}"), &[role])
            .await;
        self.create_user(email, password, &[group]).await
    }

    pub async fn user_id(&self, email: &str) -> Option<i64> {
        user_id(&self.db, email).await
    }

    /// `active`, `blocked` or `deleted`.
    pub async fn user_status(&self, id: i64) -> String {
        sqlx::query_scalar("SELECT status FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(self.db.pool())
            .await
            .expect("querying a user's status")
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(self.db.pool())
            .await
            .expect("counting rows")
    }

    /// Live sessions of a user.
    pub async fn sessions_of(&self, user_id: i64) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE subject_id = $1")
            .bind(user_id)
            .fetch_one(self.db.pool())
            .await
            .expect("counting sessions")
    }

    /// Every audit row, oldest first.
    pub async fn audit(&self) -> Vec<AuditRow> {
        let rows = sqlx::query(
            "SELECT id, at, actor_id, actor, action, target, detail, ip FROM audit_log ORDER BY id",
        )
        .fetch_all(self.db.pool())
        .await
        .expect("reading the audit log");
        rows.iter()
            .map(|row| AuditRow {
                id: row.get("id"),
                at: row.get("at"),
                actor_id: row.get("actor_id"),
                actor: row.get("actor"),
                action: row.get("action"),
                target: row.get("target"),
                detail: row.get("detail"),
                ip: row.get("ip"),
            })
            .collect()
    }

    /// Audit rows with the given action, oldest first.
    pub async fn audit_of(&self, action: &str) -> Vec<AuditRow> {
        self.audit()
            .await
            .into_iter()
            .filter(|r| r.action == action)
            .collect()
    }

    /// The content of every table the host owns, as text: equal snapshots mean nothing changed.
    pub async fn snapshot(&self) -> String {
        const TABLES: &[(&str, &str)] = &[
            (
                "users",
                "id || '|' || email || '|' || name || '|' || password_hash || '|' || status || '|' || locale || '|' || updated_at",
            ),
            ("acl_groups", "id || '|' || name || '|' || description"),
            ("acl_roles", "id || '|' || name || '|' || description"),
            (
                "acl_rules",
                "id || '|' || role_id || '|' || section || '|' || controller || '|' || action || '|' || effect",
            ),
            ("acl_user_groups", "user_id || '|' || group_id"),
            ("acl_group_roles", "group_id || '|' || role_id"),
            (
                "sessions",
                "token_hash || '|' || subject_id || '|' || csrf_token || '|' || created_at",
            ),
            (
                "api_tokens",
                "id || '|' || user_id || '|' || name || '|' || token_hash || '|' || COALESCE(revoked_at, '-')",
            ),
            ("login_failures", "key || '|' || at"),
            (
                "audit_log",
                "id || '|' || action || '|' || actor || '|' || target || '|' || detail",
            ),
        ];
        let mut out = String::new();
        for (table, columns) in TABLES {
            let rows: Vec<String> =
                sqlx::query_scalar(&format!("SELECT {columns} FROM {table} ORDER BY 1"))
                    .fetch_all(self.db.pool())
                    .await
                    .expect("snapshotting a table");
            out.push_str(&format!("[{table}]\n"));
            for row in rows {
                out.push_str(&row);
                out.push('\n');
            }
        }
        out
    }
}
