//! Prices per SKU and currency (shared collection `prices`, see the cross-section contract):
//! default and original (strike-through) price, gross and net, and volume tiers. Owns the list
//! of currencies. Other modules (product form, CSV import, storefront) call [`set`],
//! [`remove`] and [`resolve`]; nothing else writes `prices`.
//!
//! An abstract product's record also carries a copy of its default prices (`products.prices`,
//! and `products.price` for the default currency, indexed for sorting): [`set`] and [`remove`]
//! keep that copy in step, in the same transaction.

use backoffice_sdk::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::input::{self, Fields};
use crate::products::{self, DEFAULT_CURRENCY, Price};
use crate::skus::{self, SkuInfo};

/// The currencies the catalog sells in; the first is the default ([`DEFAULT_CURRENCY`]).
pub const CURRENCIES: &[&str] = &["EUR", "CHF", "USD"];

/// A volume price: from `quantity` items on, each costs `gross` (and `net`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VolumeTier {
    pub quantity: i64,
    pub gross: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub net: Option<i64>,
}

/// The prices of one SKU in one currency, in cents, without the key.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceSpec {
    pub gross: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_gross: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original_net: Option<i64>,
    /// Ascending by quantity, quantities unique and greater than 1.
    pub volume: Vec<VolumeTier>,
}

/// A record of `prices`: id `<sku>~<currency>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PriceData {
    pub sku: String,
    pub currency: String,
    #[serde(flatten)]
    pub spec: PriceSpec,
}

pub type PriceRecord = Record<PriceData>;

pub fn prices() -> Collection<PriceData> {
    Collection::new("prices")
}

pub fn collection() -> CollectionDef {
    CollectionDef::new("prices")
        .field(Field::text("sku").indexed())
        .field(Field::text("currency"))
        .shared()
}

pub fn routes(router: Router) -> Router {
    router
        .get("prices", "index", index)
        .get("prices", "edit", edit_form)
        .post("prices", "edit", update)
        .post("prices", "remove", remove_action)
        .get("prices", "resolve", resolve_action)
}

/// The record id of `sku`'s price in `currency`.
pub fn record_id(sku: &str, currency: &str) -> String {
    format!("{sku}~{currency}")
}

/// 422 unless `currency` is one of [`CURRENCIES`].
pub fn check_currency(currency: &str) -> Result<(), Failure> {
    if CURRENCIES.contains(&currency) {
        Ok(())
    } else {
        Err(Failure::unprocessable(format!(
            "currency must be one of {}",
            CURRENCIES.join(", ")
        )))
    }
}

impl PriceSpec {
    /// 422 on negative amounts or volume tiers that are not unique, > 1 and ascending.
    pub fn check(&self) -> Result<(), Failure> {
        let amounts = [
            ("gross", Some(self.gross)),
            ("net", self.net),
            ("original_gross", self.original_gross),
            ("original_net", self.original_net),
        ];
        for (field, cents) in amounts {
            if cents.is_some_and(|c| c < 0) {
                return Err(input::cents_error(field));
            }
        }
        let mut previous = 1;
        for tier in &self.volume {
            if tier.quantity <= 1 {
                return Err(Failure::unprocessable(
                    "volume quantities must be integers greater than 1",
                ));
            }
            if tier.quantity <= previous {
                return Err(Failure::unprocessable(format!(
                    "volume quantities must be unique and ascending ({} after {previous})",
                    tier.quantity
                )));
            }
            previous = tier.quantity;
            if tier.gross < 0 {
                return Err(input::cents_error("volume gross"));
            }
            if tier.net.is_some_and(|c| c < 0) {
                return Err(input::cents_error("volume net"));
            }
        }
        Ok(())
    }

    /// The unit price for `quantity` items: the largest volume tier it reaches, else the
    /// default price.
    pub fn unit_for(&self, quantity: i64) -> Price {
        match self.volume.iter().rev().find(|t| t.quantity <= quantity) {
            Some(tier) => Price {
                gross: tier.gross,
                net: tier.net,
            },
            None => Price {
                gross: self.gross,
                net: self.net,
            },
        }
    }
}

// ---- the pub API ----

/// `sku`'s price in `currency`, if it has its own.
pub fn get(sku: &str, currency: &str) -> Result<Option<PriceRecord>, Failure> {
    Ok(prices().find(&record_id(sku, currency))?)
}

/// Every price record of `sku`, in the order of [`CURRENCIES`].
pub fn of_sku(sku: &str) -> Result<Vec<PriceRecord>, Failure> {
    let mut out = Vec::new();
    for currency in CURRENCIES {
        if let Some(record) = get(sku, currency)? {
            out.push(record);
        }
    }
    Ok(out)
}

/// Sets (creates or replaces) `sku`'s price in `currency` after checking the currency, the
/// amounts and that the catalog knows the SKU (404 `SKU <sku> not found`). For an abstract
/// product, its record's copy (`prices`, and `price` for the default currency) follows.
pub fn set(sku: &str, currency: &str, spec: PriceSpec) -> Result<PriceRecord, Failure> {
    check_currency(currency)?;
    spec.check()?;
    let info = skus::require(sku)?;
    let record = write(sku, currency, spec)?;
    if info.is_abstract {
        mirror(&info, currency, Some(&record.data.spec))?;
    }
    Ok(record)
}

/// Removes `sku`'s price in `currency`: 404 when it has none; 422 for an abstract product's
/// default-currency price (a product always has one; change it instead).
pub fn remove(sku: &str, currency: &str) -> Result<(), Failure> {
    check_currency(currency)?;
    let info = skus::require(sku)?;
    if info.is_abstract && currency == DEFAULT_CURRENCY {
        return Err(Failure::unprocessable(format!(
            "a product's {DEFAULT_CURRENCY} price cannot be removed; change it instead"
        )));
    }
    match prices().delete(&record_id(sku, currency)) {
        Ok(()) => {}
        Err(StorageError::NotFound) => {
            return Err(Failure::not_found(format!(
                "SKU {sku} has no {currency} price"
            )));
        }
        Err(e) => return Err(e.into()),
    }
    if info.is_abstract {
        mirror(&info, currency, None)?;
    }
    Ok(())
}

/// The price of one unit of a sellable SKU in `currency` when `quantity` are bought.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Resolved {
    /// The SKU whose record was used: the SKU itself, or its abstract product's.
    pub from_sku: String,
    pub currency: String,
    pub quantity: i64,
    /// The unit price after volume tiers.
    pub unit: Price,
    /// The strike-through price, when set.
    pub original: Option<Price>,
}

/// The unit price of `sku` for `quantity` items in `currency`: its own record, else its
/// abstract product's, with the volume tier `quantity` reaches. `None` when neither has a
/// price in that currency (or the SKU is unknown).
pub fn resolve(sku: &str, currency: &str, quantity: i64) -> Result<Option<Resolved>, Failure> {
    let mut record = get(sku, currency)?;
    if record.is_none()
        && let Some(info) = skus::find(sku)?
        && !info.is_abstract
    {
        record = get(info.abstract_sku(), currency)?;
    }
    Ok(record.map(|r| {
        let spec = &r.data.spec;
        Resolved {
            from_sku: r.data.sku.clone(),
            currency: currency.to_owned(),
            quantity,
            unit: spec.unit_for(quantity),
            original: spec.original_gross.map(|gross| Price {
                gross,
                net: spec.original_net,
            }),
        }
    }))
}

/// Called by the product form after it saved the product: the product's default-currency
/// gross and net go into its `prices` record; original price and volume tiers stay.
pub fn store_default(sku: &str, price: &Price) -> Result<(), Failure> {
    let mut spec = get(sku, DEFAULT_CURRENCY)?
        .map(|r| r.data.spec)
        .unwrap_or_default();
    spec.gross = price.gross;
    spec.net = price.net;
    spec.check()?;
    write(sku, DEFAULT_CURRENCY, spec)?;
    Ok(())
}

/// Moves every price record of `old` to `new` (a product's SKU was renamed).
pub fn rename_sku(old: &str, new: &str) -> Result<(), Failure> {
    for record in of_sku(old)? {
        prices().delete(&record.id)?;
        write(new, &record.data.currency, record.data.spec)?;
    }
    Ok(())
}

fn write(sku: &str, currency: &str, spec: PriceSpec) -> Result<PriceRecord, Failure> {
    let data = PriceData {
        sku: sku.to_owned(),
        currency: currency.to_owned(),
        spec,
    };
    Ok(prices().put(&record_id(sku, currency), &data)?)
}

/// Keeps the abstract product's copy of its prices in step (`None`: removed).
fn mirror(info: &SkuInfo, currency: &str, spec: Option<&PriceSpec>) -> Result<(), Failure> {
    let price = spec.map(|s| json!({"gross": s.gross, "net": s.net}));
    let mut changes = json!({"prices": {currency: price}, "updated": input::now()});
    if currency == DEFAULT_CURRENCY
        && let Some(spec) = spec
    {
        changes["price"] = json!(spec.gross);
    }
    products::products().patch(&info.product.id, &changes)?;
    Ok(())
}

// ---- pages ----

#[derive(Debug, Serialize)]
struct IndexContext {
    sku: String,
    product_id: String,
    product_name: String,
    prices: Vec<PriceData>,
    /// Currencies without a price yet, for the "add" links.
    missing: Vec<&'static str>,
}

fn index(req: &Request) -> Reply {
    let info = skus::require(&skus::param(req)?)?;
    let prices: Vec<PriceData> = of_sku(&info.sku)?.into_iter().map(|r| r.data).collect();
    let missing = CURRENCIES
        .iter()
        .copied()
        .filter(|c| !prices.iter().any(|p| p.currency == *c))
        .collect();
    let title = format!("Prices of {}", info.sku);
    let ctx = IndexContext {
        sku: info.sku,
        product_id: info.product.id,
        product_name: info.product.data.name,
        prices,
        missing,
    };
    Ok(view_or_json(req, "prices/index.html", &title, &ctx))
}

fn currency_param(req: &Request) -> Result<String, Failure> {
    let currency = req
        .param("currency")
        .map(|c| c.trim().to_owned())
        .unwrap_or_default();
    if currency.is_empty() {
        return Err(Failure::bad_request("currency is required"));
    }
    check_currency(&currency)?;
    Ok(currency)
}

#[derive(Debug, Serialize)]
struct FormContext {
    sku: String,
    currency: String,
    price: Option<PriceData>,
    /// Empty volume rows the form offers beyond the stored tiers.
    blank_rows: usize,
}

fn edit_form(req: &Request) -> Reply {
    let info = skus::require(&skus::param(req)?)?;
    let currency = currency_param(req)?;
    let price = get(&info.sku, &currency)?.map(|r| r.data);
    let title = format!("{currency} price of {}", info.sku);
    let ctx = FormContext {
        sku: info.sku,
        currency,
        price,
        blank_rows: 3,
    };
    Ok(view_or_json(req, "prices/form.html", &title, &ctx))
}

/// The spec a price form or JSON body sends. JSON: `gross` (required), `net`,
/// `original_gross`, `original_net`, `volume: [{quantity, gross, net?}]`. Form: the same names,
/// volume tiers as rows of repeated `volume_quantity`, `volume_gross`, `volume_net` (blank rows
/// are skipped).
fn spec_from(fields: &Fields) -> Result<PriceSpec, Failure> {
    let gross = fields
        .cents("gross")?
        .ok_or_else(|| Failure::unprocessable("gross is required"))?;
    let volume = match fields {
        Fields::Json(object) => json_volume(object.get("volume"))?,
        Fields::Form(req) => form_volume(req)?,
    };
    Ok(PriceSpec {
        gross,
        net: fields.cents("net")?,
        original_gross: fields.cents("original_gross")?,
        original_net: fields.cents("original_net")?,
        volume,
    })
}

fn volume_shape_error() -> Failure {
    Failure::unprocessable("volume must be a list of {quantity, gross, net?}")
}

fn json_volume(value: Option<&Value>) -> Result<Vec<VolumeTier>, Failure> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(volume_shape_error()),
    };
    items
        .iter()
        .map(|item| {
            let object = item.as_object().ok_or_else(volume_shape_error)?;
            let quantity = object
                .get("quantity")
                .and_then(Value::as_i64)
                .ok_or_else(|| {
                    Failure::unprocessable("volume quantities must be integers greater than 1")
                })?;
            let gross = input::json_cents(object, "gross")
                .map_err(|_| input::cents_error("volume gross"))?
                .ok_or_else(|| Failure::unprocessable("volume gross is required"))?;
            let net =
                input::json_cents(object, "net").map_err(|_| input::cents_error("volume net"))?;
            Ok(VolumeTier {
                quantity,
                gross,
                net,
            })
        })
        .collect()
}

fn form_volume(req: &Request) -> Result<Vec<VolumeTier>, Failure> {
    let quantities: Vec<&str> = req.form_all("volume_quantity").collect();
    let grosses: Vec<&str> = req.form_all("volume_gross").collect();
    let nets: Vec<&str> = req.form_all("volume_net").collect();
    let mut tiers = Vec::new();
    for (row, quantity) in quantities.iter().enumerate() {
        let gross = grosses.get(row).copied().unwrap_or("");
        let net = nets.get(row).copied().unwrap_or("");
        if [*quantity, gross, net].iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        let quantity = quantity.trim().parse().map_err(|_| {
            Failure::unprocessable("volume quantities must be integers greater than 1")
        })?;
        let gross = input::cents_text(Some(gross), "volume gross")?
            .ok_or_else(|| Failure::unprocessable("volume gross is required"))?;
        tiers.push(VolumeTier {
            quantity,
            gross,
            net: input::cents_text(Some(net), "volume net")?,
        });
    }
    Ok(tiers)
}

#[derive(Debug, Serialize)]
struct PriceContext {
    price: PriceData,
}

fn prices_path(sku: &str) -> String {
    format!(
        "/admin/catalog/prices/index?sku={}",
        input::encode_component(sku)
    )
}

fn update(req: &Request) -> Reply {
    let sku = skus::param(req)?;
    let currency = currency_param(req)?;
    let spec = spec_from(&Fields::of(req)?)?;
    let record = set(&sku, &currency, spec)?;
    services::audit("price.set", &record.id, &record.data.spec.gross.to_string());
    Ok(if req.wants_json {
        json(&PriceContext { price: record.data })
    } else {
        redirect(prices_path(&sku)).flash("Price saved")
    })
}

fn remove_action(req: &Request) -> Reply {
    let sku = skus::param(req)?;
    let currency = currency_param(req)?;
    remove(&sku, &currency)?;
    services::audit("price.remove", &record_id(&sku, &currency), "");
    Ok(if req.wants_json {
        json(&json!({"removed": record_id(&sku, &currency)}))
    } else {
        redirect(prices_path(&sku)).flash("Price removed")
    })
}

/// GET `prices/resolve?sku=&currency=&quantity=`: what [`resolve`] answers (currency default
/// EUR, quantity default 1); 404 when there is no price.
fn resolve_action(req: &Request) -> Reply {
    let sku = skus::param(req)?;
    let currency = match input::query(req, "currency") {
        Some(_) => currency_param(req)?,
        None => DEFAULT_CURRENCY.to_owned(),
    };
    let quantity = match input::query(req, "quantity") {
        None => 1,
        Some(text) => text
            .parse()
            .ok()
            .filter(|q: &i64| *q >= 1)
            .ok_or_else(|| Failure::bad_request("quantity must be a positive integer"))?,
    };
    let resolved = resolve(&sku, &currency, quantity)?
        .ok_or_else(|| Failure::not_found(format!("SKU {sku} has no {currency} price")))?;
    Ok(json(&resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tier(quantity: i64, gross: i64) -> VolumeTier {
        VolumeTier {
            quantity,
            gross,
            net: None,
        }
    }

    #[test]
    fn the_default_currency_is_the_first() {
        assert_eq!(CURRENCIES[0], DEFAULT_CURRENCY);
        assert!(check_currency("CHF").is_ok());
        assert_eq!(
            check_currency("GBP").unwrap_err().message,
            "currency must be one of EUR, CHF, USD"
        );
    }

    #[test]
    fn volume_tiers_must_be_unique_ascending_and_above_one() {
        let mut spec = PriceSpec {
            gross: 1000,
            net: Some(840),
            volume: vec![tier(5, 900), tier(10, 800)],
            ..PriceSpec::default()
        };
        assert!(spec.check().is_ok());
        spec.volume = vec![tier(10, 800), tier(5, 900)];
        assert_eq!(
            spec.check().unwrap_err().message,
            "volume quantities must be unique and ascending (5 after 10)"
        );
        spec.volume = vec![tier(5, 900), tier(5, 800)];
        assert_eq!(spec.check().unwrap_err().status, 422);
        spec.volume = vec![tier(1, 900)];
        assert_eq!(
            spec.check().unwrap_err().message,
            "volume quantities must be integers greater than 1"
        );
        spec.volume = vec![tier(2, -1)];
        assert_eq!(
            spec.check().unwrap_err().message,
            "volume gross must be a non-negative integer number of cents"
        );
    }

    #[test]
    fn the_unit_price_follows_the_largest_tier_reached() {
        let spec = PriceSpec {
            gross: 1000,
            net: Some(840),
            volume: vec![tier(5, 900), tier(10, 800)],
            ..PriceSpec::default()
        };
        assert_eq!(spec.unit_for(1).gross, 1000);
        assert_eq!(spec.unit_for(1).net, Some(840));
        assert_eq!(spec.unit_for(4).gross, 1000);
        assert_eq!(spec.unit_for(5).gross, 900);
        assert_eq!(spec.unit_for(5).net, None);
        assert_eq!(spec.unit_for(9).gross, 900);
        assert_eq!(spec.unit_for(100).gross, 800);
    }

    #[test]
    fn json_volume_shapes() {
        let ok = json_volume(Some(&json!([{"quantity": 3, "gross": 90, "net": 80}]))).unwrap();
        assert_eq!(
            ok,
            [VolumeTier {
                quantity: 3,
                gross: 90,
                net: Some(80)
            }]
        );
        assert_eq!(
            json_volume(Some(&json!({"quantity": 3})))
                .unwrap_err()
                .status,
            422
        );
        assert_eq!(
            json_volume(Some(&json!([{"quantity": 3}])))
                .unwrap_err()
                .message,
            "volume gross is required"
        );
    }
}
