//! The form that changes one's own password, for a Back Office user (`/account`) and a shopper
//! (`/customer/account/password`) alike: the current password first, then the new one's
//! policy and confirmation. Why one: the order of the checks is the security (a wrong current
//! password is refused before anything about the new one is said, an over-long one without
//! hashing it), so it is written once.

use serde::Deserialize;

use super::customers::new_password;
use super::error::{AppError, AppResult};
use crate::auth::password;

#[derive(Debug, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub confirm_password: String,
}

impl PasswordChange {
    /// Whether the change may replace the password whose hash is `stored` (`None`: the
    /// account has none, so no current password is right). The outer error is a failure of
    /// the host; the inner one what to tell the user.
    pub async fn check(&self, stored: Option<&str>) -> AppResult<Result<(), AppError>> {
        let current = self.current_password.chars().count() <= password::MAX_LENGTH
            && password::verify_off_thread(&self.current_password, stored).await?;
        if !current {
            return Ok(Err(AppError::invalid(
                "The current password is not correct.",
            )));
        }
        Ok(new_password(&self.new_password, &self.confirm_password))
    }
}
