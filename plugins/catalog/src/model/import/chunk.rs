//! A chunk of rows and the records they touch: loaded with one query per collection, changed
//! in memory row by row, written back with one batch per collection.

use std::collections::{HashMap, HashSet};

use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::Write;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::cells::{Cells, Inputs, PriceCells, cents};
use super::{KEYS_PER_QUERY, Outcome, Setup};
use crate::model::prices::{self, PriceData, PriceSpec, prices};
use crate::model::product_input::{self, ProductInput};
use crate::model::products::{self, Price, Product, ProductData, products};
use crate::model::reads::{Live, Reads};
use crate::model::stock::{self, AvailabilityData, StockData, availability};
use crate::model::values::{self, DEFAULT_LOCALE};
use crate::model::variant_input::VariantInput;
use crate::model::variants::{Variant, VariantData, variants};

/// A record as the chunk holds it: its stored version (`None`: not stored yet) and whether
/// the chunk changed it.
#[derive(Debug, Clone)]
struct Entry<T> {
    id: String,
    data: T,
    version: Option<i64>,
    dirty: bool,
}

impl<T> Entry<T> {
    fn stored(record: Record<T>) -> Self {
        Entry {
            id: record.id,
            data: record.data,
            version: Some(record.version),
            dirty: false,
        }
    }

    fn new(id: String, data: T) -> Self {
        Entry {
            id,
            data,
            version: None,
            dirty: true,
        }
    }

    fn record(&self) -> Record<T>
    where
        T: Clone,
    {
        Record {
            id: self.id.clone(),
            data: self.data.clone(),
            version: self.version.unwrap_or(0),
            created_at: 0,
            updated_at: 0,
        }
    }
}

/// The records a chunk of rows touches, loaded up front and written back at the end.
pub struct Chunk<'s> {
    setup: &'s Setup,
    /// By SKU. Every SKU of the chunk's rows was looked up: a miss means "no such record".
    products: HashMap<String, Entry<ProductData>>,
    variants: HashMap<String, Entry<VariantData>>,
    /// Variant SKUs per product id, for products whose variants were all loaded.
    siblings: HashMap<String, Vec<String>>,
    /// SKUs looked up in `products` and `variants`.
    looked_up: HashSet<String>,
    /// By record id (`<sku>~<currency>`).
    prices: HashMap<String, Entry<PriceData>>,
    /// By SKU, every warehouse's record.
    stock: HashMap<String, Vec<Entry<StockData>>>,
    /// By SKU.
    availability: HashMap<String, Entry<AvailabilityData>>,
    /// Slug → product id, of products the chunk looked at or wrote.
    slugs: HashMap<String, String>,
    /// Slugs looked up in storage: one not in `slugs` is free.
    slugs_looked_up: HashSet<String>,
}

impl<'s> Chunk<'s> {
    /// Loads every record the rows may read: products, variants and prices by any of the rows'
    /// SKUs, the variants of the products found, and the stock and availability of the SKUs
    /// the rows sell.
    pub fn load(rows: &[Cells], setup: &'s Setup) -> Result<Chunk<'s>, Failure> {
        let mut skus: Vec<String> = Vec::new();
        for row in rows {
            skus.push(row.abstract_sku.clone());
            if row.is_variant_row() {
                skus.push(row.concrete_sku.clone());
            }
        }
        skus.sort();
        skus.dedup();
        let mut chunk = Chunk {
            setup,
            products: HashMap::new(),
            variants: HashMap::new(),
            siblings: HashMap::new(),
            looked_up: skus.iter().cloned().collect(),
            prices: HashMap::new(),
            stock: HashMap::new(),
            availability: HashMap::new(),
            slugs: HashMap::new(),
            slugs_looked_up: HashSet::new(),
        };
        for p in fetch_in(&products(), "sku", &skus)? {
            chunk.slugs.insert(p.data.slug.clone(), p.id.clone());
            chunk.products.insert(p.data.sku.clone(), Entry::stored(p));
        }
        // The slugs new products will get (the file has no slug column): looked up at once.
        let mut slugs: Vec<String> = rows
            .iter()
            .filter(|row| !chunk.products.contains_key(&row.abstract_sku))
            .map(|row| {
                let name = row.names.get(DEFAULT_LOCALE).and_then(Value::as_str);
                product_input::default_slug(name.unwrap_or_default().trim(), &row.abstract_sku)
            })
            .collect();
        slugs.sort();
        slugs.dedup();
        for p in fetch_in(&products(), "slug", &slugs)? {
            chunk.slugs.insert(p.data.slug, p.id);
        }
        chunk.slugs_looked_up.extend(slugs);
        let product_ids: Vec<String> = chunk.products.values().map(|p| p.id.clone()).collect();
        let mut found = fetch_in(&variants(), "sku", &skus)?;
        found.extend(fetch_in(&variants(), "abstract_id", &product_ids)?);
        for id in product_ids {
            chunk.siblings.insert(id, Vec::new());
        }
        for v in found {
            if chunk.variants.contains_key(&v.data.sku) {
                continue;
            }
            if let Some(list) = chunk.siblings.get_mut(&v.data.abstract_id) {
                list.push(v.data.sku.clone());
            }
            chunk.variants.insert(v.data.sku.clone(), Entry::stored(v));
        }
        // Prices of both SKUs (a product's default price is a price record too); stock and
        // availability only of the SKU a row sells.
        for p in fetch_in(&prices(), "sku", &skus)? {
            chunk.prices.insert(p.id.clone(), Entry::stored(p));
        }
        let mut sold: Vec<String> = rows.iter().map(|row| row.sku().to_owned()).collect();
        sold.sort();
        sold.dedup();
        for s in fetch_in(&stock::stock(), "sku", &sold)? {
            let list = chunk.stock.entry(s.data.sku.clone()).or_default();
            list.push(Entry::stored(s));
        }
        for a in fetch_in(&availability(), "id", &sold)? {
            chunk.availability.insert(a.id.clone(), Entry::stored(a));
        }
        Ok(chunk)
    }

    /// Validates one row against the chunk's records, then applies it to them.
    pub fn apply(&mut self, row: Cells) -> Result<Outcome, Failure> {
        let existing = self.products.get(&row.abstract_sku).cloned();
        let is_variant_row = row.is_variant_row();
        let Inputs {
            product,
            variant,
            price_cells,
        } = row.inputs(existing.is_none())?;

        // Validate the product (and the variant) completely before changing anything.
        let (id, mut data) = match &existing {
            Some(p) => (p.id.clone(), p.data.clone()),
            None => (new_id(&row.abstract_sku), ProductData::default()),
        };
        let before = data.clone();
        let known = existing.as_ref().map(|_| id.as_str());
        ProductInput::from_fields(&Fields::json(product))?.apply(known, &mut data, &*self)?;
        self.check_slug_free(&data.slug, &id)?;
        let product_changed = existing.is_none() || !same(&before, &data);

        if existing.is_none() {
            // A product not stored yet has no stored variants: the variant rules' question
            // about its siblings is answered here instead of by a query per new product.
            self.siblings.entry(id.clone()).or_default();
        }
        let variant_write = match is_variant_row {
            true => self.variant_change(&row, &id, &data.name, variant)?,
            false => None,
        };
        // The product's search text once the variant is written (see `products::reindex`).
        let reindexed = match &variant_write {
            Some((vid, vdata)) => {
                let mut siblings = match known {
                    Some(id) => self.variants_of(id)?,
                    None => Vec::new(),
                };
                siblings.retain(|v| v.data.sku != vdata.sku);
                siblings.push(Entry::new(vid.clone(), vdata.clone()).record());
                siblings.sort_by(|a, b| a.data.sku.cmp(&b.data.sku));
                Some(products::search_text_of(&data, &siblings)?)
            }
            None => None,
        };
        let sku = row.sku().to_owned();
        let price_writes = self.price_changes(&sku, price_cells)?;
        let stock_writes: Vec<(String, i64)> = row
            .stock
            .iter()
            .filter(|(warehouse, quantity)| self.quantity_in(&sku, warehouse) != Some(*quantity))
            .cloned()
            .collect();
        // Like the product form: the product's default price goes into `prices` too.
        let default_price = match data.prices.get(products::DEFAULT_CURRENCY) {
            Some(price) if product_changed => Some(self.default_price_spec(&data.sku, price)?),
            _ => None,
        };

        // Apply: nothing below fails.
        let changed = product_changed
            || variant_write.is_some()
            || !price_writes.is_empty()
            || !stock_writes.is_empty();
        if product_changed {
            self.put_product(&id, data);
        }
        if let Some(spec) = default_price {
            self.put_price(&row.abstract_sku, products::DEFAULT_CURRENCY, spec);
        }
        if let Some((vid, vdata)) = variant_write {
            self.put_variant(&vid, vdata);
        }
        if let Some(text) = reindexed
            && let Some(product) = self.products.get_mut(&row.abstract_sku)
            && product.data.search_text != text
        {
            product.data.search_text = text;
            product.dirty = true;
        }
        let is_abstract = !is_variant_row;
        for (currency, spec) in price_writes {
            if is_abstract {
                self.mirror_price(&row.abstract_sku, &currency, &spec);
            }
            self.put_price(&sku, &currency, spec);
        }
        if !stock_writes.is_empty() {
            for (warehouse, quantity) in stock_writes {
                self.put_stock(&sku, &warehouse, quantity);
            }
            self.refresh_availability(&sku);
        }
        Ok(match (existing.is_none(), changed) {
            (true, _) => Outcome::Created,
            (false, true) => Outcome::Updated,
            (false, false) => Outcome::Unchanged,
        })
    }

    /// The variant a variant row writes (`None`: it changes nothing), validated as a variant
    /// of product `id` named `product_name`.
    fn variant_change(
        &self,
        row: &Cells,
        id: &str,
        product_name: &str,
        variant: Map<String, Value>,
    ) -> Result<Option<(String, VariantData)>, Failure> {
        let current = self.variants.get(&row.concrete_sku).cloned();
        if let Some(v) = &current
            && v.data.abstract_sku != row.abstract_sku
        {
            return Err(Failure::unprocessable(format!(
                "variant {} belongs to product {}",
                row.concrete_sku, v.data.abstract_sku
            )));
        }
        let (vid, mut vdata) = match &current {
            Some(v) => (v.id.clone(), v.data.clone()),
            None => (
                new_id(&row.concrete_sku),
                VariantData {
                    abstract_id: id.to_owned(),
                    abstract_sku: row.abstract_sku.clone(),
                    active: true,
                    ..VariantData::default()
                },
            ),
        };
        let vbefore = vdata.clone();
        let vknown = current.as_ref().map(|_| vid.as_str());
        VariantInput::from_fields(&Fields::json(variant))?.apply(
            vknown,
            product_name,
            &mut vdata,
            self,
        )?;
        if current.is_none() || !same(&vbefore, &vdata) {
            return Ok(Some((vid, vdata)));
        }
        Ok(None)
    }

    /// Writes every record the chunk changed: one batch per collection.
    pub fn write(self) -> Result<(), Failure> {
        write_dirty(&products(), self.products.into_values())?;
        write_dirty(&variants(), self.variants.into_values())?;
        write_dirty(&prices(), self.prices.into_values())?;
        write_dirty(&stock::stock(), self.stock.into_values().flatten())?;
        write_dirty(&availability(), self.availability.into_values())?;
        Ok(())
    }

    /// 409 when another product than `id` has `slug`: among the records the chunk knows, else
    /// in storage.
    fn check_slug_free(&mut self, slug: &str, id: &str) -> Result<(), Failure> {
        let owner = match self.slugs.get(slug) {
            Some(owner) => Some(owner.clone()),
            None if self.slugs_looked_up.contains(slug) => None,
            None => {
                let found = products().query().eq("slug", slug).first()?;
                found.map(|p| p.id)
            }
        };
        match owner {
            Some(owner) if owner != id => {
                Err(Failure::conflict(format!("slug {slug} already exists")))
            }
            _ => Ok(()),
        }
    }

    /// The price records a row changes: per currency with a gross (or net) cell, the stored
    /// spec (original price and volume tiers kept) with the new gross and net; unchanged ones
    /// left out.
    fn price_changes(
        &self,
        sku: &str,
        cells: PriceCells,
    ) -> Result<Vec<(String, PriceSpec)>, Failure> {
        let mut out = Vec::new();
        for (currency, (gross, net)) in cells {
            if gross.is_empty() && net.is_empty() {
                continue;
            }
            if gross.is_empty() {
                return Err(Failure::unprocessable(format!(
                    "price.{currency}.gross is required with price.{currency}.net"
                )));
            }
            let stored = self.price(sku, &currency);
            let mut spec = stored.cloned().unwrap_or_default();
            spec.gross = cents(&format!("price.{currency}.gross"), &gross)?;
            spec.net = if net.is_empty() {
                None
            } else {
                Some(cents(&format!("price.{currency}.net"), &net)?)
            };
            spec.check()?;
            if stored != Some(&spec) {
                out.push((currency, spec));
            }
        }
        Ok(out)
    }

    fn price(&self, sku: &str, currency: &str) -> Option<&PriceSpec> {
        self.prices
            .get(&prices::record_id(sku, currency))
            .map(|e| &e.data.spec)
    }

    /// The stored default-currency spec of `sku` with the product's gross and net.
    fn default_price_spec(&self, sku: &str, price: &Price) -> Result<PriceSpec, Failure> {
        let mut spec = self
            .price(sku, products::DEFAULT_CURRENCY)
            .cloned()
            .unwrap_or_default();
        spec.gross = price.gross;
        spec.net = price.net;
        spec.check()?;
        Ok(spec)
    }

    fn quantity_in(&self, sku: &str, warehouse_id: &str) -> Option<i64> {
        self.stock
            .get(sku)?
            .iter()
            .find(|s| s.data.warehouse_id == warehouse_id)
            .map(|s| s.data.quantity)
    }

    fn put_product(&mut self, id: &str, data: ProductData) {
        self.slugs.insert(data.slug.clone(), id.to_owned());
        let sku = data.sku.clone();
        match self.products.get_mut(&sku) {
            Some(entry) => {
                entry.data = data;
                entry.dirty = true;
            }
            None => {
                self.siblings.insert(id.to_owned(), Vec::new());
                self.products.insert(sku, Entry::new(id.to_owned(), data));
            }
        }
    }

    fn put_variant(&mut self, id: &str, data: VariantData) {
        let sku = data.sku.clone();
        match self.variants.get_mut(&sku) {
            Some(entry) => {
                entry.data = data;
                entry.dirty = true;
            }
            None => {
                if let Some(list) = self.siblings.get_mut(&data.abstract_id) {
                    list.push(sku.clone());
                }
                self.variants.insert(sku, Entry::new(id.to_owned(), data));
            }
        }
    }

    fn put_price(&mut self, sku: &str, currency: &str, spec: PriceSpec) {
        let id = prices::record_id(sku, currency);
        let data = PriceData {
            sku: sku.to_owned(),
            currency: currency.to_owned(),
            spec,
        };
        match self.prices.get_mut(&id) {
            Some(entry) if entry.data == data => {}
            Some(entry) => {
                entry.data = data;
                entry.dirty = true;
            }
            None => {
                self.prices.insert(id.clone(), Entry::new(id, data));
            }
        }
    }

    /// Keeps an abstract product's copy of its prices in step (see `prices::set`).
    fn mirror_price(&mut self, sku: &str, currency: &str, spec: &PriceSpec) {
        if let Some(product) = self.products.get_mut(sku) {
            let price = Price {
                gross: spec.gross,
                net: spec.net,
            };
            product.data.prices.insert(currency.to_owned(), price);
            if currency == products::DEFAULT_CURRENCY {
                product.data.price = spec.gross;
            }
            product.data.updated = values::now();
            product.dirty = true;
        }
    }

    fn put_stock(&mut self, sku: &str, warehouse_id: &str, quantity: i64) {
        let list = self.stock.entry(sku.to_owned()).or_default();
        match list
            .iter_mut()
            .find(|s| s.data.warehouse_id == warehouse_id)
        {
            Some(entry) => {
                entry.data.quantity = quantity;
                entry.dirty = true;
            }
            None => {
                let data = StockData {
                    sku: sku.to_owned(),
                    warehouse_id: warehouse_id.to_owned(),
                    quantity,
                };
                list.push(Entry::new(stock::stock_id(sku, warehouse_id), data));
            }
        }
    }

    /// Recomputes `sku`'s availability from its stock in active warehouses (see
    /// `stock::update_availability`).
    fn refresh_availability(&mut self, sku: &str) {
        let active: HashSet<&str> = self
            .setup
            .warehouses
            .iter()
            .filter(|w| w.data.active)
            .map(|w| w.id.as_str())
            .collect();
        let quantity = self
            .stock
            .get(sku)
            .into_iter()
            .flatten()
            .filter(|s| active.contains(s.data.warehouse_id.as_str()))
            .map(|s| s.data.quantity)
            .sum();
        let entry = self.availability.entry(sku.to_owned()).or_insert_with(|| {
            let data = AvailabilityData {
                sku: sku.to_owned(),
                ..AvailabilityData::default()
            };
            Entry::new(sku.to_owned(), data)
        });
        let data = stock::recompute(&entry.data, quantity);
        if data != entry.data {
            entry.data = data;
            entry.dirty = true;
        }
    }
}

impl Reads for Chunk<'_> {
    fn product_by_sku(&self, sku: &str) -> Result<Option<Product>, Failure> {
        if !self.looked_up.contains(sku) {
            return Live.product_by_sku(sku);
        }
        Ok(self.products.get(sku).map(Entry::record))
    }

    fn variant_by_sku(&self, sku: &str) -> Result<Option<Variant>, Failure> {
        if !self.looked_up.contains(sku) {
            return Live.variant_by_sku(sku);
        }
        Ok(self.variants.get(sku).map(Entry::record))
    }

    fn variants_of(&self, product_id: &str) -> Result<Vec<Variant>, Failure> {
        let Some(skus) = self.siblings.get(product_id) else {
            return Live.variants_of(product_id);
        };
        let mut out: Vec<Variant> = skus
            .iter()
            .filter_map(|sku| self.variants.get(sku).map(Entry::record))
            .collect();
        out.sort_by(|a, b| a.data.sku.cmp(&b.data.sku));
        Ok(out)
    }

    fn category_exists(&self, id: &str) -> Result<bool, Failure> {
        Ok(self.setup.category_ids.values().any(|c| c == id))
    }
}

/// Writes the changed entries: creates for new records, replaces of the version read for the
/// others (so a record changed by someone else meanwhile fails the import instead of being
/// overwritten).
fn write_dirty<T: Serialize + DeserializeOwned>(
    collection: &Collection<T>,
    entries: impl Iterator<Item = Entry<T>>,
) -> Result<(), Failure> {
    let entries: Vec<Entry<T>> = entries.filter(|e| e.dirty).collect();
    let writes: Vec<Write<'_, T>> = entries
        .iter()
        .map(|e| match e.version {
            Some(v) => Write::Replace(&e.id, &e.data, v),
            None => Write::Create(&e.id, &e.data),
        })
        .collect();
    if !writes.is_empty() {
        collection.write_many(&writes)?;
    }
    Ok(())
}

/// Every record whose `field` is one of `values` (queried in slices, every page followed).
fn fetch_in<T: Serialize + DeserializeOwned>(
    collection: &Collection<T>,
    field: &str,
    values: &[String],
) -> Result<Vec<Record<T>>, Failure> {
    let mut out = Vec::new();
    for slice in values.chunks(KEYS_PER_QUERY) {
        let query = collection.query().filter(field, Op::InList, slice.to_vec());
        out.extend(query.fetch_all()?);
    }
    Ok(out)
}

/// A record id for an imported SKU: readable, and stable for the SKU (SKUs are unique).
fn new_id(sku: &str) -> String {
    format!("sku-{sku}")
}

/// True when two records differ at most in their `updated` time.
fn same<T: Serialize>(a: &T, b: &T) -> bool {
    let strip = |v: &T| {
        let mut value = serde_json::to_value(v).unwrap_or(Value::Null);
        if let Some(o) = value.as_object_mut() {
            o.remove("updated");
        }
        value
    };
    strip(a) == strip(b)
}
