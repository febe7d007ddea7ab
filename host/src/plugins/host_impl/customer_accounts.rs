//! `customer-accounts`: the customer realm's credentials, managed from a Back Office section.
//!
//! Only calls made for a back-office user may use it (that user's ACL for the action being
//! served was checked before the plugin ran); storefront requests, event handlers and widgets
//! are refused, so a shopper can never reach another account through a plugin. Writes run on
//! the call's transaction: a failure response or a trap undoes them with the plugin's own
//! writes. A blocked account's sessions end in the same transaction. Every change is audited
//! by the host as `customer-accounts.<change>` (in the same transaction), naming the plugin,
//! whatever the plugin itself audits.

use super::trap;
use crate::auth::customers::{self, Customer, SET_PASSWORD_LIFETIME, Status};
use crate::auth::session::Realm;
use crate::auth::{AuthError, resets};
use crate::plugins::bindings::customer_accounts::{self, Account, AccountError, Created};
use crate::plugins::call::CallState;
use crate::validate;

type Answer<T> = wasmtime::Result<Result<T, AccountError>>;

fn to_wit(c: Customer) -> Account {
    Account {
        id: c.id,
        email: c.email,
        blocked: c.status == Status::Blocked,
        created_at: c.created_at,
    }
}

/// The refusal for calls without a back-office user.
fn no_user() -> AccountError {
    AccountError::Forbidden(
        "customer accounts can only be managed in a request of a back-office user".into(),
    )
}

/// An email as the customer realm stores it, or why not.
fn checked_email(email: &str) -> Result<String, AccountError> {
    validate::email(email).map_err(|e| AccountError::Invalid(e.message))
}

impl CallState {
    /// Only a call that may write, made for a back-office user.
    fn may_manage_customers(&self) -> bool {
        self.caller.user.is_some() && self.refusal().is_none()
    }

    async fn account(&mut self, id: i64) -> wasmtime::Result<Option<Customer>> {
        let label = self.label();
        let mut conn = self.read_conn().await.map_err(|e| trap(&label, e))?;
        customers::get(&mut *conn, id)
            .await
            .map_err(|e| trap(&label, e))
    }

    /// Audits a change made through the capability, for the caller, naming the plugin.
    async fn audit_use(&mut self, change: &str, id: i64) -> wasmtime::Result<()> {
        let detail = format!(
            "through the customer-accounts capability of plugin {}",
            self.label()
        );
        self.audit_in_call(
            &format!("customer-accounts.{change}"),
            &format!("customer {id}"),
            &detail,
        )
        .await
    }

    async fn new_link(&mut self, id: i64) -> wasmtime::Result<String> {
        let (label, now) = (self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        let token = resets::create(conn, Realm::Customer, id, now, SET_PASSWORD_LIFETIME)
            .await
            .map_err(|e| trap(&label, e))?;
        Ok(customers::reset_link(&token))
    }
}

impl customer_accounts::Host for CallState {
    async fn get(&mut self, id: i64) -> Answer<Account> {
        if !self.may_manage_customers() {
            return Ok(Err(no_user()));
        }
        Ok(self
            .account(id)
            .await?
            .map(to_wit)
            .ok_or(AccountError::NotFound))
    }

    async fn create(&mut self, email: String) -> Answer<Created> {
        if !self.may_manage_customers() {
            return Ok(Err(no_user()));
        }
        let email = match checked_email(&email) {
            Ok(email) => email,
            Err(e) => return Ok(Err(e)),
        };
        let (label, now) = (self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        let id = match customers::create(conn, &email, customers::NO_PASSWORD, now).await {
            Ok(id) => id,
            Err(AuthError::EmailTaken) => return Ok(Err(AccountError::EmailTaken)),
            Err(e) => return Err(trap(&label, e)),
        };
        let link = self.new_link(id).await?;
        let account = self
            .account(id)
            .await?
            .ok_or_else(|| trap(&label, "a created customer account vanished"))?;
        tracing::info!(plugin = %label, customer = id, "customer account created by a section");
        self.audit_use("created", id).await?;
        Ok(Ok(Created {
            account: to_wit(account),
            set_password_link: link,
        }))
    }

    async fn set_password_link(&mut self, id: i64) -> Answer<String> {
        if !self.may_manage_customers() {
            return Ok(Err(no_user()));
        }
        if self.account(id).await?.is_none() {
            return Ok(Err(AccountError::NotFound));
        }
        self.audit_use("set-password-link", id).await?;
        Ok(Ok(self.new_link(id).await?))
    }

    async fn set_email(&mut self, id: i64, email: String) -> Answer<Account> {
        if !self.may_manage_customers() {
            return Ok(Err(no_user()));
        }
        let email = match checked_email(&email) {
            Ok(email) => email,
            Err(e) => return Ok(Err(e)),
        };
        let (label, now) = (self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        match customers::set_email(conn, id, &email, now).await {
            Ok(true) => {}
            Ok(false) => return Ok(Err(AccountError::NotFound)),
            Err(AuthError::EmailTaken) => return Ok(Err(AccountError::EmailTaken)),
            Err(e) => return Err(trap(&label, e)),
        }
        self.audit_use("email-changed", id).await?;
        self.account(id)
            .await
            .map(|a| a.map(to_wit).ok_or(AccountError::NotFound))
    }

    async fn set_blocked(&mut self, id: i64, blocked: bool) -> Answer<Account> {
        if !self.may_manage_customers() {
            return Ok(Err(no_user()));
        }
        let status = if blocked {
            Status::Blocked
        } else {
            Status::Active
        };
        let (label, now) = (self.label(), self.now);
        let conn = self.write_conn().await.map_err(|e| trap(&label, e))?;
        if !customers::set_status(&mut *conn, id, status, now)
            .await
            .map_err(|e| trap(&label, e))?
        {
            return Ok(Err(AccountError::NotFound));
        }
        if blocked {
            crate::auth::session::delete_all_for(conn, Realm::Customer, id)
                .await
                .map_err(|e| trap(&label, e))?;
        }
        let change = if blocked { "blocked" } else { "unblocked" };
        self.audit_use(change, id).await?;
        self.account(id)
            .await
            .map(|a| a.map(to_wit).ok_or(AccountError::NotFound))
    }
}
