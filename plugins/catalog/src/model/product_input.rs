//! The rules of a product create or edit, shared by the product form (and its JSON API) and
//! the CSV import: what may be sent, how it is checked and merged into the stored record, and
//! what follows a saved product (its prices move with a renamed SKU; its default price is a
//! price record too).

use std::collections::BTreeMap;

use backoffice_sdk::money;
use backoffice_sdk::prelude::*;
use serde_json::Value;

use super::attributes;
use super::categories;
use super::prices;
use super::products::{
    self, DEFAULT_CURRENCY, DESCRIPTION_MAX, META_DESCRIPTION_MAX, META_TITLE_MAX, NAME_MAX, Price,
    ProductData, STATUSES,
};
use super::reads::Reads;
use super::shop;
use super::stock;
use super::values::{self, DEFAULT_LOCALE};

/// What a create or edit sends. `None` keeps the stored value (edit) or means "not given"
/// (create). A form always sends every field it shows.
#[derive(Debug, Default)]
pub struct ProductInput {
    sku: Option<String>,
    names: Option<BTreeMap<String, String>>,
    description: Option<BTreeMap<String, String>>,
    status: Option<String>,
    price: Option<i64>,
    price_net: Option<Option<i64>>,
    category_ids: Option<Vec<String>>,
    tax_class: Option<String>,
    attributes: Option<BTreeMap<String, Value>>,
    meta_title: Option<BTreeMap<String, String>>,
    meta_description: Option<BTreeMap<String, String>>,
    slugs: Option<BTreeMap<String, String>>,
    stores: Option<Vec<String>>,
}

impl ProductInput {
    /// Decimals of the default currency's prices in a form (JSON amounts are minor units and
    /// need none: no host call for them, so the JSON reader also runs in native unit tests).
    fn digits(fields: &Fields) -> u8 {
        if fields.is_form() {
            money::minor_units(DEFAULT_CURRENCY)
        } else {
            2
        }
    }

    /// Reads the input; every field of a wrong shape is named in one 422.
    pub fn from_fields(fields: &Fields) -> Result<Self, Failure> {
        let mut errors = Errors::new();
        let digits = Self::digits(fields);
        let price_net = (fields.is_form() || fields.has("price_net"))
            .then(|| values::cents(fields, "price_net", digits, &mut errors));
        let input = ProductInput {
            sku: fields.text("sku", &mut errors),
            names: values::locales(fields, "names", "name", &mut errors),
            description: values::locales(fields, "description", "description", &mut errors),
            status: fields.text("status", &mut errors),
            price: values::cents(fields, "price", digits, &mut errors),
            price_net,
            category_ids: fields.selected("category_ids", &mut errors),
            tax_class: fields.text("tax_class", &mut errors),
            attributes: attributes::sent_values(fields, &mut errors),
            meta_title: values::locales(fields, "meta_title", "meta_title", &mut errors),
            meta_description: values::locales(
                fields,
                "meta_description",
                "meta_description",
                &mut errors,
            ),
            slugs: values::locales(fields, "slugs", "slug", &mut errors),
            stores: fields.selected("stores", &mut errors),
        };
        errors.finish()?;
        Ok(input)
    }

    /// Applies the input onto `data` of product `id` (`None` when new) and validates the
    /// result (checked in this order: sku, name, description, status, price, categories, tax
    /// class, attributes, SEO texts, slugs, stores).
    pub fn apply(
        self,
        id: Option<&str>,
        data: &mut ProductData,
        reads: &dyn Reads,
    ) -> Result<(), Failure> {
        if let Some(sku) = self.sku {
            data.sku = sku.trim().to_owned();
        }
        products::check_sku(&data.sku)?;
        if reads.variant_by_sku(&data.sku)?.is_some() {
            return Err(Failure::conflict(format!(
                "SKU {} already exists",
                data.sku
            )));
        }
        if let Some(names) = self.names {
            data.names = values::merge_locales("name", &data.names, names, NAME_MAX)?;
        }
        data.name = data.names.get(DEFAULT_LOCALE).cloned().unwrap_or_default();
        if data.name.is_empty() {
            return Err(Failure::unprocessable("name is required"));
        }
        if let Some(description) = self.description {
            data.description = values::merge_locales(
                "description",
                &data.description,
                description,
                DESCRIPTION_MAX,
            )?;
        }
        if let Some(status) = self.status {
            data.status = status.trim().to_owned();
        }
        if data.status.is_empty() {
            data.status = "inactive".into();
        }
        if !STATUSES.contains(&data.status.as_str()) {
            return Err(Failure::unprocessable("status must be active or inactive"));
        }
        let current = data.prices.get(DEFAULT_CURRENCY).cloned();
        let gross = match (self.price, &current) {
            (Some(p), _) => p,
            (None, Some(c)) => c.gross,
            (None, None) => return Err(Failure::unprocessable("price is required")),
        };
        let net = match self.price_net {
            Some(net) => net,
            None => current.and_then(|c| c.net),
        };
        data.prices
            .insert(DEFAULT_CURRENCY.into(), Price { gross, net });
        data.price = gross;
        if let Some(ids) = self.category_ids {
            let mut unique: Vec<String> = Vec::new();
            for id in ids {
                let id = id.trim().to_owned();
                if !unique.contains(&id) {
                    unique.push(id);
                }
            }
            for id in &unique {
                if !reads.category_exists(id)? {
                    return Err(Failure::unprocessable(format!(
                        "category {id} does not exist"
                    )));
                }
            }
            data.category_ids = unique;
        }
        if let Some(tax_class) = self.tax_class {
            data.tax_class = tax_class;
        }
        data.tax_class = shop::tax_set_or_default(&data.tax_class)?;
        if let Some(changes) = self.attributes {
            data.attributes = attributes::check_values(&data.attributes, changes)?;
        }
        if let Some(texts) = self.meta_title {
            data.meta_title =
                values::merge_locales("meta_title", &data.meta_title, texts, META_TITLE_MAX)?;
        }
        if let Some(texts) = self.meta_description {
            data.meta_description = values::merge_locales(
                "meta_description",
                &data.meta_description,
                texts,
                META_DESCRIPTION_MAX,
            )?;
        }
        if let Some(slugs) = self.slugs {
            data.slugs = values::merge_locales("slug", &data.slugs, slugs, categories::SLUG_MAX)?;
        }
        if !data.slugs.contains_key(DEFAULT_LOCALE) {
            data.slugs
                .insert(DEFAULT_LOCALE.into(), default_slug(&data.name, &data.sku));
        }
        for slug in data.slugs.values() {
            categories::check_slug(slug)?;
        }
        data.slug = data.slugs[DEFAULT_LOCALE].clone();
        match self.stores {
            Some(stores) => {
                let mut unique: Vec<String> = Vec::new();
                for store in stores.iter().map(|s| s.trim()) {
                    shop::check("store", store, shop::stores())?;
                    if !unique.iter().any(|s| s == store) {
                        unique.push(store.to_owned());
                    }
                }
                data.stores = unique;
            }
            None if id.is_none() => data.stores = shop::stores().to_vec(),
            None => {}
        }
        let variants = match id {
            Some(id) => reads.variants_of(id)?,
            None => Vec::new(),
        };
        data.search_text = products::search_text(data, &variants, &products::full_text_keys()?);
        data.updated = values::now();
        Ok(())
    }
}

/// The URL slug of a product that was given none: from its default-locale name and SKU.
pub fn default_slug(name: &str, sku: &str) -> String {
    categories::slugify(&format!("{name} {sku}"))
}

/// What follows a product saved by the form (`old_sku`: its SKU before an edit). A renamed SKU
/// takes its prices along; stock is keyed by SKU too, so a SKU with stock or reservations
/// cannot be renamed (409). Then the form's default price goes into `prices`.
pub fn saved(old_sku: Option<&str>, product: &ProductData) -> Result<(), Failure> {
    if let Some(old) = old_sku
        && old != product.sku
    {
        if stock::is_stocked(old)? {
            return Err(Failure::conflict(format!(
                "SKU {old} has stock or reservations and cannot be renamed"
            )));
        }
        prices::rename_sku(old, &product.sku)?;
    }
    match product.prices.get(DEFAULT_CURRENCY) {
        Some(price) => prices::store_default(&product.sku, price),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_price_must_be_non_negative_cents() {
        for body in [
            r#"{"price":-1}"#,
            r#"{"price":19.99}"#,
            r#"{"price":"12.5"}"#,
        ] {
            let err = ProductInput::from_fields(&Fields::parse(body).unwrap()).unwrap_err();
            assert_eq!(err.status, 422, "{body}");
            assert!(err.message.starts_with("price must be"), "{body}");
        }
        let ok = ProductInput::from_fields(
            &Fields::parse(r#"{"price":1999,"price_net":1680}"#).unwrap(),
        )
        .unwrap();
        assert_eq!(ok.price, Some(1999));
        assert_eq!(ok.price_net, Some(Some(1680)));
        let absent = ProductInput::from_fields(&Fields::parse(r#"{"price":1}"#).unwrap()).unwrap();
        assert_eq!(absent.price_net, None, "JSON without price_net keeps it");
    }
}
