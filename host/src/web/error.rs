//! The HTTP error of the host and the one place where the errors of every layer become
//! answers.
//!
//! Handlers return `Result<_, AppError>`; each variant says its status. The layers below `web`
//! (`auth`, `users`, `acl`, `validate`, the plugin runtime, templates) have error types of their
//! own that know nothing of HTTP, and the `From` conversions here are the only code that decides
//! which status each of their failures answers. `IntoResponse` turns an error into a status plus
//! an [`ErrorReport`] stored in the response extensions; the [`render::render_errors`] middleware
//! then renders that report as an HTML page, a redirect to sign-in or a JSON body, depending on
//! what the client asked for. Internal details are logged, never shown.

pub mod render;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::acl::AclError;
use crate::auth::password::HashError;
use crate::auth::signin::Refusal;
use crate::auth::{AuthError, throttle};
use crate::mail::MailError;
use crate::users::UserError;
use crate::validate::Invalid;

/// What a handler answers instead of its page; each variant names its status.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (bad encoding, malformed body).
    #[error("{0}")]
    BadRequest(String),
    /// 422: the request was read but a field is invalid; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// 401: no valid session or token.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// 403: the caller is known but the ACL does not allow this.
    #[error("You do not have access to {0}.")]
    Forbidden(String),
    /// 403: the change would pass on rights the caller does not hold; the message says which.
    #[error("{0}")]
    Beyond(String),
    /// 403: a state change without a valid CSRF token.
    #[error("The form has expired or was sent from another site. Reload the page and try again.")]
    Csrf,
    /// 404: the thing does not exist (or is not visible to the caller).
    #[error("{0}")]
    NotFound(String),
    /// 405: e.g. a state change attempted with GET.
    #[error("This address does not accept that method.")]
    MethodNotAllowed,
    /// 409: the change conflicts with existing data (unique values, state).
    #[error("{0}")]
    Conflict(String),
    /// 413: the body is larger than this endpoint accepts.
    #[error("The request is too large.")]
    TooLarge,
    /// 413: an uploaded file is larger than the host accepts; the message says the limit.
    #[error("{0}")]
    FileTooLarge(String),
    /// 429: too many failed attempts.
    #[error("{0}")]
    TooManyRequests(String),
    /// 503 with `Retry-After`: a section runs as many calls as it may at once, or every
    /// password-hashing slot is taken (`auth::gate`).
    #[error("{0}")]
    Busy(String),
    /// A section plugin failed (trap, deadline, memory cap) or answered with a failure of its
    /// own; the status is the plugin's (400–599) or chosen by the runtime.
    #[error("{message}")]
    Plugin { status: StatusCode, message: String },
    /// 500: a template failed to render (ran out of fuel, recursed too deep, or broke). The
    /// public message names the template; the detail is logged.
    #[error(
        "This page could not be shown: its template {template} {problem}. The error has been logged."
    )]
    Render { template: String, problem: String },
    /// 500: a bug or an unavailable dependency. Logged with detail, shown generically.
    #[error("internal error: {0}")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Beyond(_) | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooLarge | AppError::FileTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Plugin { status, .. } => *status,
            AppError::Render { .. } | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The text a user may see.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => {
                "Something went wrong on our side. The error has been logged.".to_owned()
            }
            other => other.to_string(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::Invalid(message.into())
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }

    /// A failed render of `template`: logged in full, shown as what kind of failure it was.
    pub fn render(template: &str, err: &minijinja::Error) -> Self {
        tracing::error!(template, error = %err, detail = %err.display_debug_info(), "rendering failed");
        use crate::themes::env::{Failure, failure};
        let problem = match failure(err) {
            Failure::OutOfFuel => "took too long and was stopped",
            Failure::TooDeep => "nested too deeply and was stopped",
            Failure::Other => "failed",
        }
        .to_owned();
        AppError::Render {
            template: template.to_owned(),
            problem,
        }
    }
}

/// 500: the database failed.
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        AppError::Internal(err.into())
    }
}

/// 422, naming the field.
impl From<Invalid> for AppError {
    fn from(err: Invalid) -> Self {
        AppError::Invalid(err.message)
    }
}

/// A refused sign-in: 422 for wrong credentials (never saying which part was wrong), 403 for a
/// blocked account, 429 while the throttle holds.
impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::BadCredentials => {
                AppError::Invalid("The email or password is not correct.".into())
            }
            Refusal::Blocked => {
                AppError::Forbidden("this account: it has been blocked by an administrator".into())
            }
            Refusal::Locked => AppError::TooManyRequests(format!(
                "Too many failed sign-in attempts. Wait {} minutes and try again.",
                throttle::WINDOW_SECONDS / 60
            )),
        }
    }
}

/// 503 with `Retry-After` while the password gate is full; 500 when hashing failed.
impl From<HashError> for AppError {
    fn from(err: HashError) -> Self {
        match err {
            HashError::Busy(busy) => AppError::Busy(busy.to_string()),
            HashError::Failed(err) => AppError::Internal(err),
        }
    }
}

/// 409 for a taken customer email, 404 for a token that is not the caller's, 500 otherwise.
impl From<AuthError> for AppError {
    fn from(err: AuthError) -> Self {
        match err {
            AuthError::EmailTaken => AppError::Conflict(err.to_string()),
            AuthError::NoSuchToken(_) => AppError::NotFound(err.to_string()),
            AuthError::AlreadyAssisting => AppError::Conflict(err.to_string()),
            AuthError::MayNotAssist(_) => AppError::Beyond(err.to_string()),
            AuthError::Password(err) => err.into(),
            AuthError::Database(err) => err.into(),
        }
    }
}

/// 409 for a taken email, 404 for an unknown or deleted user, 500 otherwise.
impl From<UserError> for AppError {
    fn from(err: UserError) -> Self {
        match err {
            UserError::EmailTaken(_) => AppError::Conflict(err.to_string()),
            UserError::NotFound(_) => AppError::NotFound(err.to_string()),
            UserError::Database(err) => err.into(),
        }
    }
}

/// 422 for a message the host itself could not address (e.g. a stored email that no longer
/// validates), 500 for a host mail template that failed (logged with its detail) or the
/// database.
impl From<MailError> for AppError {
    fn from(err: MailError) -> Self {
        match err {
            MailError::Invalid(message) => AppError::Invalid(message),
            MailError::Render { .. } => AppError::Internal(err.into()),
            MailError::Database(err) => err.into(),
        }
    }
}

/// 404 for the group or role being read or changed, 409 for a taken name or a repeated rule,
/// 422 for an unknown member in a submitted list, 500 otherwise.
impl From<AclError> for AppError {
    fn from(err: AclError) -> Self {
        match err {
            AclError::NotFound { .. } => AppError::NotFound(err.to_string()),
            AclError::NameTaken { .. } | AclError::RuleExists => {
                AppError::Conflict(err.to_string())
            }
            AclError::UnknownMember { .. } => AppError::Invalid(err.to_string()),
            AclError::Beyond(message) => AppError::Beyond(message),
            AclError::Database(err) => err.into(),
        }
    }
}

/// 422 for a field of a setting (a taken code included: it is the code field's problem), 404
/// for a setting that does not exist, 409 for deleting one still in use, 500 otherwise.
impl From<crate::shop::ShopError> for AppError {
    fn from(err: crate::shop::ShopError) -> Self {
        use crate::shop::ShopError;
        match err {
            ShopError::Invalid(_) | ShopError::Taken { .. } => AppError::Invalid(err.to_string()),
            ShopError::NotFound { .. } => AppError::NotFound(err.to_string()),
            ShopError::InUse { .. } => AppError::Conflict(err.to_string()),
            ShopError::Corrupt { .. } | ShopError::Encode(_) | ShopError::Db(_) => {
                AppError::Internal(err.into())
            }
        }
    }
}

/// The theme studio: 404 for a theme or version that does not exist, 409 for a theme that is
/// not edited in the Back Office, a taken name or nothing to publish, 422 for files refused
/// (the message lists every problem), 500 for the database.
impl From<crate::themes::studio::StudioError> for AppError {
    fn from(err: crate::themes::studio::StudioError) -> Self {
        use crate::themes::studio::StudioError;
        match err {
            StudioError::NotFound(_) | StudioError::NoVersion { .. } => {
                AppError::NotFound(err.to_string())
            }
            StudioError::ReadOnly(_)
            | StudioError::Exists(_)
            | StudioError::NothingToPublish(_) => AppError::Conflict(err.to_string()),
            StudioError::Invalid(_) | StudioError::Refused(_) => AppError::Invalid(err.to_string()),
            StudioError::Db(err) => err.into(),
        }
    }
}

/// 503: a section did not answer whether it uses a record about to be deleted.
impl From<crate::shop::usage::Unanswered> for AppError {
    fn from(err: crate::shop::usage::Unanswered) -> Self {
        AppError::Plugin {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: err.to_string(),
        }
    }
}

/// A media upload or change: 422 for a field, a file that is not an accepted image, one with
/// too many pixels or a name that is a path; 413 over the upload cap; 404 for a file (or a
/// URL) that does not exist; 409 for deleting one still in use; 500 otherwise.
impl From<crate::media::MediaError> for AppError {
    fn from(err: crate::media::MediaError) -> Self {
        use crate::media::MediaError;
        match err {
            MediaError::Invalid(invalid) => invalid.into(),
            MediaError::NotAnImage { .. }
            | MediaError::TooManyPixels { .. }
            | MediaError::BadName(_) => AppError::Invalid(err.to_string()),
            MediaError::TooLarge { .. } => AppError::FileTooLarge(err.to_string()),
            MediaError::NotFound(_) => AppError::NotFound(err.to_string()),
            MediaError::InUse { .. } => AppError::Conflict(err.to_string()),
            MediaError::Variant { .. } | MediaError::Task(_) | MediaError::Db(_) => {
                AppError::Internal(err.into())
            }
        }
    }
}

/// 422: a plugin limit outside the allowed range; the message, capitalised, says the range.
impl From<crate::plugins::runtime::LimitError> for AppError {
    fn from(err: crate::plugins::runtime::LimitError) -> Self {
        let mut chars = err.0.chars();
        let capitalised: String = chars
            .next()
            .map(|c| c.to_uppercase().chain(chars).collect())
            .unwrap_or_default();
        AppError::Invalid(format!("{capitalised}."))
    }
}

/// A plugin call that was stopped: 504 past its deadline, 503 over its memory cap, 500 for a
/// crash, 503 with `Retry-After` when the plugin runs all the calls it may at once; the
/// message names the section and says that nothing it changed was kept.
impl From<crate::plugins::runtime::CallError> for AppError {
    fn from(err: crate::plugins::runtime::CallError) -> Self {
        use crate::plugins::runtime::CallError;
        let (status, message) = match &err {
            CallError::Timeout { plugin, .. } => (
                StatusCode::GATEWAY_TIMEOUT,
                format!(
                    "The section {plugin} took too long to answer and was stopped. Other sections are not affected."
                ),
            ),
            CallError::Memory { plugin, .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "The section {plugin} needed more memory than it is allowed and was stopped. Other sections are not affected."
                ),
            ),
            CallError::Trap { plugin, .. } => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!(
                    "The section {plugin} failed while handling this request; nothing it changed was saved. The error has been logged."
                ),
            ),
            CallError::Busy { plugin, .. } => {
                return AppError::Busy(format!(
                    "The section {plugin} is busy with other requests. Please try again in a moment."
                ));
            }
        };
        AppError::Plugin { status, message }
    }
}

/// 500: a template failed to render (see [`AppError::render`]).
impl From<minijinja::Error> for AppError {
    fn from(err: minijinja::Error) -> Self {
        let template = err.name().unwrap_or("(unknown)").to_owned();
        AppError::render(&template, &err)
    }
}

/// What the error-rendering middleware needs to build a page or a JSON body.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let AppError::Internal(err) = &self {
            tracing::error!(error = %format!("{err:#}"), "internal error");
        }
        let message = self.public_message();
        let mut response = (status, message.clone()).into_response();
        if let AppError::Busy(_) = self {
            // Carried onto the rendered error page by `render_errors`.
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        response
            .extensions_mut()
            .insert(ErrorReport { status, message });
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
