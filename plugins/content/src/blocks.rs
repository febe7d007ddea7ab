//! CMS blocks: a key and a name (both unique), a template with its placeholders (rich text per
//! locale), active, a validity window, stores, and the storefront slot they are placed into with
//! their position there. The host asks this section for the slots it fills (`host.slot-header`,
//! `host.slot-footer`, `host.slot-home`) and renders [`slot`]'s answer in the theme's slot
//! positions.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::model::{self, BLOCK_TEMPLATES, Block, BlockTexts, SLOTS};
use crate::{items, rules};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BlockInput {
    id: Option<String>,
    version: Option<i64>,
    #[serde(flatten)]
    block: Block,
}

pub fn index(req: &Request) -> Reply {
    let blocks = model::list(&model::blocks(), "key", req)?;
    let locales = rules::locale_codes();
    let ctx = json!({ "blocks": blocks, "templates": BLOCK_TEMPLATES, "slots": SLOTS, "locales": locales });
    Ok(view_or_json(req, "blocks/index.html", "CMS blocks", &ctx))
}

/// Checks `block` and sanitises its rich texts.
fn check(block: &mut Block, errors: &mut Errors) {
    model::check_key(&block.key, errors);
    if block.name.trim().is_empty() {
        errors.add("name", "name is required");
    }
    if !block.slot.is_empty() && !SLOTS.contains(&block.slot.as_str()) {
        errors.add(
            "slot",
            format!("slot must be one of {} (or empty)", SLOTS.join(", ")),
        );
    }
    rules::check_stores(&block.stores, errors);
    rules::check_window(&block.valid_from, &block.valid_to, errors);
    let Some(template) = model::template(BLOCK_TEMPLATES, &block.template) else {
        errors.add(
            "template",
            format!("there is no block template {:?}", block.template),
        );
        return;
    };
    for (locale, texts) in &mut block.locales {
        rules::check_locale(locale, errors);
        template.clean(&mut texts.placeholders, errors);
    }
}

/// A new block from the list's form: its settings and one locale's placeholders.
fn from_form(req: &Request) -> Result<BlockInput, Failure> {
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let locale = fields.required_text("locale", &mut errors);
    let block = Block {
        key: fields.required_text("key", &mut errors),
        name: fields.required_text("name", &mut errors),
        template: fields.required_text("template", &mut errors),
        active: fields.checkbox("active", &mut errors).unwrap_or(false),
        valid_from: fields.text("valid_from", &mut errors).unwrap_or_default(),
        valid_to: fields.text("valid_to", &mut errors).unwrap_or_default(),
        stores: rules::codes(&fields.text("stores", &mut errors).unwrap_or_default()),
        slot: fields.text("slot", &mut errors).unwrap_or_default(),
        position: fields.integer("position", &mut errors).unwrap_or(0),
        locales: BTreeMap::from([(
            locale,
            BlockTexts {
                // The form offers every template's placeholders: keep the ones filled in.
                placeholders: rules::placeholders(&fields)
                    .into_iter()
                    .filter(|(_, html)| !html.trim().is_empty())
                    .collect(),
            },
        )]),
    };
    errors.finish()?;
    Ok(BlockInput {
        block,
        ..BlockInput::default()
    })
}

/// A new block: the whole block as JSON, or the list's form.
pub fn create(req: &Request) -> Reply {
    let mut input: BlockInput = if req.body.is_some() {
        req.json()?
    } else {
        from_form(req)?
    };
    let mut errors = Errors::new();
    check(&mut input.block, &mut errors);
    errors.finish()?;
    let block = model::blocks().add(&input.block)?;
    Ok(json_or_redirect(
        req,
        &json!({ "block": Out::from(block) }),
        "/admin/content/blocks/index",
        "Block saved",
    ))
}

pub fn update(req: &Request) -> Reply {
    let mut input: BlockInput = req.input()?;
    let id = input
        .id
        .take()
        .ok_or_else(|| Failure::bad_request("id is required"))?;
    let current = model::blocks().load_version(&id, input.version)?;
    let mut errors = Errors::new();
    check(&mut input.block, &mut errors);
    errors.finish()?;
    let block = model::blocks().update(&current, &input.block)?;
    Ok(json_or_redirect(
        req,
        &json!({ "block": Out::from(block) }),
        "/admin/content/blocks/index",
        "Block saved",
    ))
}

pub fn delete(req: &Request) -> Reply {
    let block = model::blocks().load(&input::required_id(req)?)?;
    model::blocks().remove(&block)?;
    Ok(json_or_redirect(
        req,
        &json!({ "deleted": block.id }),
        "/admin/content/blocks/index",
        "Block deleted",
    ))
}

/// The host's question for a slot: `{"slot": "footer", "locale": "en"}`.
#[derive(Debug, Deserialize)]
struct SlotQuestion {
    slot: String,
    #[serde(default)]
    locale: String,
}

/// The answer to `host.slot-<name>`: the active blocks of the slot that are valid today and
/// shown in this store, by position, each rendered by `slots/block.html`.
pub fn slot(input: &str) -> Result<String, String> {
    let question: SlotQuestion =
        serde_json::from_str(input).map_err(|e| format!("not a slot question: {e}"))?;
    let locale = rules::shop_locale(&question.locale);
    let blocks = model::blocks()
        .query()
        .eq("slot", question.slot.as_str())
        .sort("position")
        .limit(50)
        .fetch()
        .map_err(|e| format!("{e:?}"))?
        .records;
    let items: Vec<Value> = blocks
        .into_iter()
        .map(|r| r.data)
        .filter(|b| {
            b.active && rules::in_window(&b.valid_from, &b.valid_to) && rules::in_store(&b.stores)
        })
        .filter_map(|b| {
            let texts = b.locales.get(&locale)?;
            Some(json!({
                "template": "slots/block.html",
                "context": {
                    "key": b.key,
                    "template": format!("content/blocks/{}.html", b.template),
                    "placeholders": items::placeholders(&texts.placeholders, &locale),
                },
            }))
        })
        .collect();
    Ok(json!({ "items": items }).to_string())
}
