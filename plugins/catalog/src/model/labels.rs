//! Product labels ("New", "Sale" …): a unique name, a priority (higher shows first), an
//! exclusive flag, validity dates, per-locale text and an active flag; assigned to abstract
//! products through `links`. [`visible_for`] decides what a product shows on a given day.

use std::collections::BTreeMap;

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};

use super::products::ProductData;
use super::values;

pub const NAME_MAX: usize = 100;
pub const TEXT_MAX: usize = 100;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LabelData {
    pub name: String,
    /// Higher shows first; among exclusive labels, the highest wins alone.
    pub priority: i64,
    pub exclusive: bool,
    /// First and last day (`YYYY-MM-DD`, inclusive) the label shows; `None`: unbounded.
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// What the storefront shows, per locale.
    pub texts: BTreeMap<String, String>,
    pub active: bool,
}

impl LabelData {
    /// Active and within its validity on `today` (`YYYY-MM-DD`).
    pub fn applies_on(&self, today: &str) -> bool {
        self.active
            && self.valid_from.as_deref().is_none_or(|from| from <= today)
            && self.valid_to.as_deref().is_none_or(|to| today <= to)
    }
}

pub type Label = Record<LabelData>;

/// Labels; a duplicate name is a 409 naming it.
pub fn labels() -> Resource<LabelData> {
    Resource::new("labels", "label")
        .unique("name", "label {name} already exists")
        .describe("{name}")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("labels")
        .field(Field::text("name").unique().searchable())
        .field(Field::integer("priority").indexed())
        .field(Field::boolean("active").indexed())
        .shared()
}

/// The labels `product` shows on `today` (`YYYY-MM-DD`), highest priority first: when an
/// exclusive label applies, only the highest-priority exclusive one; else every applying
/// label. Inactive, expired and not-yet-valid labels never show.
pub fn visible_for(product: &ProductData, today: &str) -> Result<Vec<Label>, Failure> {
    let mut applying = Vec::new();
    for id in &product.label_ids {
        if let Some(label) = labels().find(id)?
            && label.data.applies_on(today)
        {
            applying.push(label);
        }
    }
    Ok(choose(applying))
}

/// The rule of [`visible_for`] on labels that apply.
fn choose(mut applying: Vec<Label>) -> Vec<Label> {
    applying.sort_by(|a, b| {
        b.data
            .priority
            .cmp(&a.data.priority)
            .then_with(|| a.data.name.cmp(&b.data.name))
    });
    match applying.iter().position(|l| l.data.exclusive) {
        Some(first) => vec![applying.swap_remove(first)],
        None => applying,
    }
}

/// Applies what the client sent (fields not sent are kept; a new label is active) and checks
/// the result. Returns the SKUs to assign when `skus` was sent.
pub fn apply(
    fields: &Fields,
    data: &mut LabelData,
    creating: bool,
) -> Result<Option<Vec<String>>, Failure> {
    let mut errors = Errors::new();
    let name = fields.text("name", &mut errors);
    let priority = fields.integer("priority", &mut errors);
    let exclusive = fields.checkbox("exclusive", &mut errors);
    let active = fields.checkbox("active", &mut errors);
    let valid_from = values::date(fields, "valid_from", &mut errors);
    let valid_to = values::date(fields, "valid_to", &mut errors);
    let texts = values::locales(fields, "texts", "text", &mut errors);
    let skus = values::words(fields, "skus", &mut errors);
    errors.finish()?;
    if let Some(name) = name {
        data.name = name;
    }
    values::check_name(&data.name, NAME_MAX)?;
    if let Some(priority) = priority {
        data.priority = priority;
    }
    if let Some(exclusive) = exclusive {
        data.exclusive = exclusive;
    }
    match active {
        Some(active) => data.active = active,
        None if creating => data.active = true,
        None => {}
    }
    if let Some(from) = valid_from {
        data.valid_from = from;
    }
    if let Some(to) = valid_to {
        data.valid_to = to;
    }
    if let (Some(from), Some(to)) = (&data.valid_from, &data.valid_to)
        && from > to
    {
        return Err(Failure::unprocessable(
            "valid_from must not be after valid_to",
        ));
    }
    if let Some(texts) = texts {
        data.texts = values::merge_locales("text", &data.texts, texts, TEXT_MAX)?;
    }
    Ok(skus)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, priority: i64, exclusive: bool) -> Label {
        Record {
            id: name.into(),
            version: 1,
            created_at: 0,
            updated_at: 0,
            data: LabelData {
                name: name.into(),
                priority,
                exclusive,
                active: true,
                ..LabelData::default()
            },
        }
    }

    fn names(labels: &[Label]) -> Vec<&str> {
        labels.iter().map(|l| l.data.name.as_str()).collect()
    }

    #[test]
    fn the_highest_exclusive_label_shows_alone() {
        let all = vec![
            label("new", 5, false),
            label("sale", 10, true),
            label("top", 20, false),
            label("outlet", 3, true),
        ];
        assert_eq!(names(&choose(all)), ["sale"]);
        let plain = vec![label("new", 5, false), label("top", 20, false)];
        assert_eq!(names(&choose(plain)), ["top", "new"]);
    }

    #[test]
    fn validity_is_inclusive_and_needs_active() {
        let mut l = label("x", 0, false).data;
        l.valid_from = Some("2025-01-10".into());
        l.valid_to = Some("2025-01-20".into());
        assert!(!l.applies_on("2025-01-09"));
        assert!(l.applies_on("2025-01-10"));
        assert!(l.applies_on("2025-01-20"));
        assert!(!l.applies_on("2025-01-21"));
        l.active = false;
        assert!(!l.applies_on("2025-01-15"));
    }
}
