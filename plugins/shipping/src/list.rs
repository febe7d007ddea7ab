//! What the carrier and method lists share: the parameters `active` (`true|false`), `dir`
//! (`asc|desc`), `limit` (1–200) and keyset `after`, applied to a query, and what a list page
//! answers beside its rows (those parameters, the total and the next page's cursor).

use backoffice_sdk::prelude::*;
use backoffice_sdk::storage::Query;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A list page's parameters and, once fetched, its count and next cursor.
#[derive(Debug, Serialize)]
pub struct Listing {
    pub active: Option<bool>,
    pub dir: &'static str,
    pub limit: u32,
    pub total: Option<u64>,
    pub next: Option<String>,
    #[serde(skip)]
    after: Option<String>,
}

impl Listing {
    /// The parameters of `req`; 400 naming a wrong one.
    pub fn read(req: &Request) -> Result<Listing, Failure> {
        Ok(Listing {
            active: input::choice(req, "active", &["true", "false"])?.map(|a| a == "true"),
            dir: input::choice(req, "dir", &["asc", "desc"])?.unwrap_or("asc"),
            limit: input::limit(req)?,
            total: None,
            next: None,
            after: input::query(req, "after").map(str::to_owned),
        })
    }

    /// Fetches the page of `query` sorted by `field` in this listing's direction, filtered by
    /// `active` when asked; keeps the total and the next cursor.
    pub fn fetch<T: DeserializeOwned>(
        &mut self,
        query: Query<T>,
        field: &str,
    ) -> Result<Vec<Out<T>>, Failure> {
        let mut query = query.limit(self.limit).count_total();
        query = if self.dir == "desc" {
            query.sort_desc(field)
        } else {
            query.sort(field)
        };
        if let Some(active) = self.active {
            query = query.eq("active", active);
        }
        if let Some(after) = &self.after {
            query = query.after(after.as_str());
        }
        let page = query.fetch()?;
        self.total = page.total;
        self.next = page.next_cursor;
        Ok(page.records.into_iter().map(Out::from).collect())
    }
}
