//! `host.usage`: before the host deletes a store, a locale or a media file, this section says
//! which of its records use it — pages and blocks by store (their `stores`), pages, blocks and
//! items by locale (their texts), banners by media file (`items::media_uses`). A page counts
//! with its draft and its live version.

use backoffice_sdk::prelude::*;
use backoffice_sdk::usage::{Question, Use, Uses};

use crate::items;
use crate::model::{self, Page};

/// Uses shown at most per answer (the host shows 20).
const SHOWN: usize = 20;

/// The answer for `question`.
pub fn of(question: &Question) -> Result<Uses, Failure> {
    let code = question.code.as_str();
    match question.kind.as_str() {
        "media" => items::media_uses(question),
        "store" => {
            let mut uses = Uses::default();
            for page in model::pages().query().fetch_all()? {
                let in_store = |doc: &model::PageDoc| doc.stores.iter().any(|s| s == code);
                if in_store(&page.data.draft) || page.data.live.as_ref().is_some_and(in_store) {
                    add(&mut uses, page_use(&page));
                }
            }
            for block in model::blocks().query().fetch_all()? {
                if block.data.stores.iter().any(|s| s == code) {
                    add(&mut uses, block_use(&block.data.key));
                }
            }
            Ok(uses)
        }
        "locale" => {
            let mut uses = Uses::default();
            for page in model::pages().query().fetch_all()? {
                let has = |doc: &model::PageDoc| doc.locales.contains_key(code);
                if has(&page.data.draft) || page.data.live.as_ref().is_some_and(has) {
                    add(&mut uses, page_use(&page));
                }
            }
            for block in model::blocks().query().fetch_all()? {
                if block.data.locales.contains_key(code) {
                    add(&mut uses, block_use(&block.data.key));
                }
            }
            for item in model::items().query().fetch_all()? {
                if item.data.locales.contains_key(code) {
                    add(
                        &mut uses,
                        Use {
                            label: format!("content item {}", item.data.key),
                            href: Some("/admin/content/items/index".into()),
                        },
                    );
                }
            }
            Ok(uses)
        }
        _ => Ok(Uses::default()),
    }
}

fn add(uses: &mut Uses, one: Use) {
    uses.total += 1;
    if uses.uses.len() < SHOWN {
        uses.uses.push(one);
    }
}

fn page_use(page: &Record<Page>) -> Use {
    Use {
        label: format!("CMS page {}", page.data.title),
        href: Some(format!(
            "/admin/content/pages/edit?id={}",
            url::encode(&page.id)
        )),
    }
}

fn block_use(key: &str) -> Use {
    Use {
        label: format!("CMS block {key}"),
        href: Some("/admin/content/blocks/index".into()),
    }
}
