//! Redirects: a storefront address that sends the visitor on with 301 (moved permanently) or
//! 302 (found). The host asks this section before it answers 404 (`host.not-found`), so a
//! redirect never shadows a page or a route.

use backoffice_sdk::prelude::*;
use serde::Deserialize;
use serde_json::json;

use crate::model::{self, Redirect};
use crate::rules;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RedirectInput {
    id: Option<String>,
    version: Option<i64>,
    #[serde(flatten)]
    redirect: Redirect,
}

pub fn index(req: &Request) -> Reply {
    let redirects = model::list(&model::redirects(), "from_url", req)?;
    Ok(view_or_json(
        req,
        "redirects/index.html",
        "Redirects",
        &json!({ "redirects": redirects }),
    ))
}

fn read(req: &Request) -> Result<RedirectInput, Failure> {
    if req.body.is_some() {
        return req.json();
    }
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let redirect = Redirect {
        from_url: fields.text("from_url", &mut errors).unwrap_or_default(),
        to_url: fields.text("to_url", &mut errors).unwrap_or_default(),
        status: fields.integer("status", &mut errors).unwrap_or(301),
        active: fields.checkbox("active", &mut errors).unwrap_or(true),
    };
    let id = fields.text("id", &mut errors);
    let version = fields.integer("version", &mut errors);
    errors.finish()?;
    Ok(RedirectInput {
        id,
        version,
        redirect,
    })
}

fn check(redirect: &Redirect) -> Result<(), Failure> {
    let mut errors = Errors::new();
    if !rules::is_url(&redirect.from_url) {
        errors.add(
            "from_url",
            "from_url must be a storefront address like /old-page",
        );
    }
    if !rules::is_target(&redirect.to_url) {
        errors.add(
            "to_url",
            "to_url must be a local path or an http(s) address",
        );
    }
    if redirect.to_url == redirect.from_url {
        errors.add("to_url", "a redirect must not lead to itself");
    }
    if ![301, 302].contains(&redirect.status) {
        errors.add("status", "status must be 301 or 302");
    }
    errors.finish()
}

pub fn create(req: &Request) -> Reply {
    let input = read(req)?;
    check(&input.redirect)?;
    let redirect = model::redirects().add(&input.redirect)?;
    Ok(json_or_redirect(
        req,
        &json!({ "redirect": Out::from(redirect) }),
        "/admin/content/redirects/index",
        "Redirect saved",
    ))
}

pub fn update(req: &Request) -> Reply {
    let input = read(req)?;
    let id = input
        .id
        .clone()
        .ok_or_else(|| Failure::bad_request("id is required"))?;
    let current = model::redirects().load_version(&id, input.version)?;
    check(&input.redirect)?;
    let redirect = model::redirects().update(&current, &input.redirect)?;
    Ok(json_or_redirect(
        req,
        &json!({ "redirect": Out::from(redirect) }),
        "/admin/content/redirects/index",
        "Redirect saved",
    ))
}

pub fn delete(req: &Request) -> Reply {
    let redirect = model::redirects().load(&input::required_id(req)?)?;
    model::redirects().remove(&redirect)?;
    Ok(json_or_redirect(
        req,
        &json!({ "deleted": redirect.id }),
        "/admin/content/redirects/index",
        "Redirect deleted",
    ))
}

/// The active redirect from `path`, if any.
pub fn from(path: &str) -> Result<Option<Redirect>, Failure> {
    Ok(model::redirects()
        .query()
        .eq("from_url", path)
        .first()?
        .map(|r| r.data)
        .filter(|r| r.active))
}
