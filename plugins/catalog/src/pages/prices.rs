//! Price pages of a SKU: its prices per currency, the edit form (default, original and volume
//! prices), remove, and the resolved unit price for a quantity (what the storefront and sales
//! pay).

use backoffice_sdk::money;
use backoffice_sdk::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};

use crate::model::prices::{self, PriceData, PriceSpec, VolumeTier};
use crate::model::products::DEFAULT_CURRENCY;
use crate::model::shop;
use crate::model::skus;
use crate::model::values;

pub fn routes(router: Router) -> Router {
    router
        .get("prices", "index", index)
        .get("prices", "edit", edit_form)
        .post("prices", "edit", update)
        .post("prices", "remove", remove_action)
        .get("prices", "resolve", resolve_action)
}

#[derive(Debug, Serialize)]
struct IndexContext {
    sku: String,
    product_id: String,
    product_name: String,
    prices: Vec<PriceData>,
    /// Currencies without a price yet, for the "add" links.
    missing: Vec<String>,
    /// Decimals per currency: amounts are shown in major units.
    digits: std::collections::BTreeMap<String, u8>,
}

fn index(req: &Request) -> Reply {
    let info = skus::require(&input::required(req, "sku")?)?;
    let prices: Vec<PriceData> = prices::of_sku(&info.sku)?
        .into_iter()
        .map(|r| r.data)
        .collect();
    let missing = shop::currencies()
        .iter()
        .filter(|c| !prices.iter().any(|p| p.currency == **c))
        .cloned()
        .collect();
    let title = format!("Prices of {}", info.sku);
    let ctx = IndexContext {
        sku: info.sku,
        product_id: info.product.id,
        product_name: info.product.data.name,
        prices,
        missing,
        digits: money::digits_by_currency(),
    };
    Ok(view_or_json(req, "prices/index.html", &title, &ctx))
}

fn currency_param(req: &Request) -> Result<String, Failure> {
    let currency = input::required(req, "currency")?;
    prices::check_currency(&currency)?;
    Ok(currency)
}

#[derive(Debug, Serialize)]
struct FormContext {
    sku: String,
    currency: String,
    price: Option<PriceData>,
    /// Empty volume rows the form offers beyond the stored tiers.
    blank_rows: usize,
    /// Decimals of the currency: the form takes and shows major units.
    digits: u8,
}

fn edit_form(req: &Request) -> Reply {
    let info = skus::require(&input::required(req, "sku")?)?;
    let currency = currency_param(req)?;
    let price = prices::get(&info.sku, &currency)?.map(|r| r.data);
    let title = format!("{currency} price of {}", info.sku);
    let ctx = FormContext {
        sku: info.sku,
        digits: money::minor_units(&currency),
        currency,
        price,
        blank_rows: 3,
    };
    Ok(view_or_json(req, "prices/form.html", &title, &ctx))
}

/// The spec a price form or JSON body sends for an amount in `currency`. JSON (minor units):
/// `gross` (required), `net`, `original_gross`, `original_net`, `volume: [{quantity, gross,
/// net?}]`. Form (major units, `19.99`): the same names, volume tiers as rows of repeated
/// `volume_quantity`, `volume_gross`, `volume_net` (blank rows are skipped).
fn spec_from(req: &Request, fields: &Fields, currency: &str) -> Result<PriceSpec, Failure> {
    let mut errors = Errors::new();
    let digits = money::minor_units(currency);
    let gross = values::cents(fields, "gross", digits, &mut errors);
    let net = values::cents(fields, "net", digits, &mut errors);
    let original_gross = values::cents(fields, "original_gross", digits, &mut errors);
    let original_net = values::cents(fields, "original_net", digits, &mut errors);
    errors.finish()?;
    let gross = gross.ok_or_else(|| Failure::unprocessable("gross is required"))?;
    let volume = match fields.is_form() {
        true => form_volume(req, digits)?,
        false => json_volume(fields.value("volume"))?,
    };
    Ok(PriceSpec {
        gross,
        net,
        original_gross,
        original_net,
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
            let cents = |field: &str, name: &str| match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => values::cents_value(v)
                    .map(Some)
                    .ok_or_else(|| values::cents_error(name)),
            };
            let gross = cents("gross", "volume gross")?
                .ok_or_else(|| Failure::unprocessable("volume gross is required"))?;
            let net = cents("net", "volume net")?;
            Ok(VolumeTier {
                quantity,
                gross,
                net,
            })
        })
        .collect()
}

fn form_volume(req: &Request, digits: u8) -> Result<Vec<VolumeTier>, Failure> {
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
        let gross = values::cents_text(Some(gross), "volume gross", digits)?
            .ok_or_else(|| Failure::unprocessable("volume gross is required"))?;
        tiers.push(VolumeTier {
            quantity,
            gross,
            net: values::cents_text(Some(net), "volume net", digits)?,
        });
    }
    Ok(tiers)
}

#[derive(Debug, Serialize)]
struct PriceContext {
    price: PriceData,
}

fn prices_path(sku: &str) -> String {
    url::with_param("/admin/catalog/prices/index", "sku", sku)
}

fn update(req: &Request) -> Reply {
    let sku = input::required(req, "sku")?;
    let currency = currency_param(req)?;
    let spec = spec_from(req, &Fields::from_request(req)?, &currency)?;
    let record = prices::set(&sku, &currency, spec)?;
    services::audit("price.set", &record.id, &record.data.spec.gross.to_string());
    let ctx = PriceContext { price: record.data };
    Ok(json_or_redirect(
        req,
        &ctx,
        prices_path(&sku),
        "Price saved",
    ))
}

fn remove_action(req: &Request) -> Reply {
    let sku = input::required(req, "sku")?;
    let currency = currency_param(req)?;
    prices::remove(&sku, &currency)?;
    let id = prices::record_id(&sku, &currency);
    services::audit("price.remove", &id, "");
    let ctx = json!({ "removed": id });
    Ok(json_or_redirect(
        req,
        &ctx,
        prices_path(&sku),
        "Price removed",
    ))
}

/// GET `prices/resolve?sku=&currency=&quantity=`: what `prices::resolve` answers (currency default
/// EUR, quantity default 1); 404 when there is no price.
fn resolve_action(req: &Request) -> Reply {
    let sku = input::required(req, "sku")?;
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
    let resolved = prices::resolve(&sku, &currency, quantity)?
        .ok_or_else(|| Failure::not_found(format!("SKU {sku} has no {currency} price")))?;
    Ok(json(&resolved))
}

#[cfg(test)]
mod tests {
    use super::*;

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
