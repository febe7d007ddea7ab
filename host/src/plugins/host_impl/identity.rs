//! `identity`: who the request is for.

use crate::plugins::bindings::identity::{self, Customer, User};
use crate::plugins::call::CallState;

fn to_wit(user: &crate::users::User) -> User {
    User {
        id: user.id,
        email: user.email.clone(),
        name: user.name.clone(),
        locale: user.locale.clone(),
    }
}

impl identity::Host for CallState {
    async fn current_user(&mut self) -> wasmtime::Result<Option<User>> {
        Ok(self.caller.user.as_ref().map(to_wit))
    }

    async fn current_customer(&mut self) -> wasmtime::Result<Option<Customer>> {
        Ok(self.caller.customer.as_ref().map(|(id, email)| Customer {
            id: *id,
            email: email.clone(),
        }))
    }

    async fn acting_agent(&mut self) -> wasmtime::Result<Option<User>> {
        Ok(self.caller.agent.as_ref().map(to_wit))
    }

    async fn locale(&mut self) -> wasmtime::Result<String> {
        Ok(self.caller.locale.clone())
    }
}
