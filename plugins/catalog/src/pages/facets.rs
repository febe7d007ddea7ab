//! The filters a shopper chose on a category page (`f.<key>=value`, `f.<key>.min|max`) and
//! whether a product's attribute values pass them. The storefront's category page builds its
//! facets and counts on these.

use std::collections::{BTreeMap, BTreeSet};

use backoffice_sdk::prelude::*;
use serde_json::Value;

use crate::model::attributes::Attribute;
use crate::model::products::ProductData;
use crate::model::search_settings::SearchSetting;
use crate::model::variants::VariantData;

#[derive(Debug, Default)]
pub(super) struct Chosen {
    pub(super) values: BTreeMap<String, BTreeSet<String>>,
    pub(super) ranges: BTreeMap<String, (Option<f64>, Option<f64>)>,
}

impl Chosen {
    pub(super) fn from_request(
        req: &Request,
        facets: &[(SearchSetting, Attribute)],
    ) -> Result<Self, Failure> {
        let mut chosen = Chosen::default();
        for (setting, _) in facets {
            let key = &setting.key;
            if setting.filter == "range" {
                let bound = |suffix: &str| -> Result<Option<f64>, Failure> {
                    match input::query(req, &format!("f.{key}.{suffix}")) {
                        None => Ok(None),
                        Some(t) => t.parse::<f64>().map(Some).map_err(|_| {
                            Failure::bad_request(format!("f.{key}.{suffix} must be a number"))
                        }),
                    }
                };
                let range = (bound("min")?, bound("max")?);
                if range != (None, None) {
                    chosen.ranges.insert(key.clone(), range);
                }
            } else {
                let values: BTreeSet<String> = req
                    .query_all(&format!("f.{key}"))
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
                    .collect();
                if setting.filter == "single" && values.len() > 1 {
                    return Err(Failure::bad_request(format!(
                        "only one value of {key} can be chosen"
                    )));
                }
                if !values.is_empty() {
                    chosen.values.insert(key.clone(), values);
                }
            }
        }
        Ok(chosen)
    }

    /// `key=value` pairs for links that keep the filters.
    pub(super) fn query_string(&self) -> String {
        let mut query = url::Query::new();
        for (key, values) in &self.values {
            for v in values {
                query = query.add(&format!("f.{key}"), v);
            }
        }
        for (key, (min, max)) in &self.ranges {
            query = query
                .add_some(&format!("f.{key}.min"), *min)
                .add_some(&format!("f.{key}.max"), *max);
        }
        query.to_string()
    }
}

pub(super) fn value_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The attribute values a product offers: its own and its sellable variants'.
pub(super) fn offered(p: &ProductData, vs: &[&VariantData]) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in &p.attributes {
        out.entry(k.clone()).or_default().push(v.clone());
    }
    for variant in vs {
        for (k, v) in &variant.attributes {
            out.entry(k.clone()).or_default().push(v.clone());
        }
    }
    out
}

/// Whether a product offering `offered` passes the shopper's filters (all but `skip`, the
/// facet whose own counts are being made).
pub(super) fn matches(
    offered: &BTreeMap<String, Vec<Value>>,
    chosen: &Chosen,
    skip: Option<&str>,
) -> bool {
    let values_ok = chosen.values.iter().all(|(key, wanted)| {
        Some(key.as_str()) == skip
            || offered.get(key).is_some_and(|vs| {
                vs.iter()
                    .filter_map(value_text)
                    .any(|v| wanted.contains(&v))
            })
    });
    let ranges_ok = chosen.ranges.iter().all(|(key, (min, max))| {
        Some(key.as_str()) == skip
            || offered.get(key).is_some_and(|vs| {
                vs.iter()
                    .filter_map(Value::as_f64)
                    .any(|x| min.is_none_or(|m| x >= m) && max.is_none_or(|m| x <= m))
            })
    });
    values_ok && ranges_ok
}
