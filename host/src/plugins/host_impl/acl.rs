//! `acl`: finer access checks against the current user's rules.

use crate::plugins::bindings::acl;
use crate::plugins::call::CallState;

impl acl::Host for CallState {
    async fn can(
        &mut self,
        section: String,
        controller: String,
        action: String,
    ) -> wasmtime::Result<bool> {
        Ok(self
            .caller
            .permissions
            .as_ref()
            .is_some_and(|p| p.can(&section, &controller, &action)))
    }
}
