//! Back Office orders: the list (filters, search, keyset paging, CSV export), the detail page,
//! state events per item or per order, address edits, comments and refunds. Assisted orders
//! (placed by an admin for a customer) live in `assisted`.

use backoffice_sdk::csv::{self, Cell};
use backoffice_sdk::money;
use backoffice_sdk::prelude::*;
use backoffice_sdk::services::{audit, current_user};
use serde::{Deserialize, Serialize};

use crate::input::{self, COMMENT_MAX};
use crate::model::{
    Comment, OrderData, OrderRow, Refund, load_order, order_rows, orders, state_key,
};
use crate::process::{self, Process};
use crate::transitions;
use backoffice_sdk::dates::{DAY, now, parse_ymd, stamp, ymd};

/// Later than any placement time `state_key` is asked to bound (12 digits).
const MAX_TIME: i64 = 999_999_999_999;

pub fn routes(router: Router) -> Router {
    router
        .get("orders", "index", index)
        .get("orders", "export", export)
        .get("orders", "show", show)
        .post("orders", "trigger", trigger)
        .get("orders", "address", address_form)
        .post("orders", "address", update_address)
        .post("orders", "comment", comment)
        .post("orders", "refund", refund)
        .get("orders", "create", crate::assisted::create_form)
        .post("orders", "create", crate::assisted::create)
}

pub fn show_path(id: &str) -> String {
    url::with_param("/admin/sales/orders/show", "id", id)
}

/// The signed-in admin's email, for history entries and comments.
pub(crate) fn actor() -> String {
    current_user().map_or_else(|| "system".into(), |u| u.email)
}

// ---- list ----

/// The list's filters, as read from the query string (and echoed to the page).
#[derive(Debug, Default, Serialize)]
pub struct Filters {
    pub state: Option<String>,
    pub process: Option<String>,
    pub currency: Option<String>,
    pub customer: Option<i64>,
    /// `YYYY-MM-DD`, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Searches reference and email.
    pub q: Option<String>,
}

impl Filters {
    fn read(req: &Request) -> Result<Filters, Failure> {
        let q = |name| {
            req.query(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let f = Filters {
            state: q("state"),
            process: q("process"),
            currency: q("currency").map(|c| c.to_ascii_uppercase()),
            customer: match q("customer") {
                None => None,
                Some(c) => Some(c.parse().map_err(|_| {
                    Failure::bad_request("customer must be a customer id (a number)")
                })?),
            },
            from: q("from"),
            to: q("to"),
            q: q("q"),
        };
        for (name, date) in [("from", &f.from), ("to", &f.to)] {
            if let Some(d) = date
                && parse_ymd(d).is_none()
            {
                return Err(Failure::bad_request(format!(
                    "{name} must be a date YYYY-MM-DD"
                )));
            }
        }
        if let Some(s) = &f.state
            && !process::all().iter().any(|p| p.state(s).is_some())
        {
            return Err(Failure::bad_request(format!("there is no order state {s}")));
        }
        Ok(f)
    }

    fn query(&self) -> backoffice_sdk::storage::Query<OrderRow> {
        let from = self.from.as_deref().and_then(parse_ymd).map(|d| d * DAY);
        let until = self
            .to
            .as_deref()
            .and_then(parse_ymd)
            .map(|d| (d + 1) * DAY);
        let mut query = order_rows().query();
        // In one state, `state_created` orders by placement within the state on one index.
        if let Some(s) = &self.state {
            query = query
                .filter("state_created", Op::Gte, state_key(s, from.unwrap_or(0)))
                .filter(
                    "state_created",
                    Op::Lt,
                    state_key(s, until.unwrap_or(MAX_TIME)),
                )
                .sort_desc("state_created");
        } else {
            query = query.sort_desc("created");
            if let Some(from) = from {
                query = query.filter("created", Op::Gte, from);
            }
            if let Some(until) = until {
                query = query.filter("created", Op::Lt, until);
            }
        }
        if let Some(p) = &self.process {
            query = query.eq("process", p.as_str());
        }
        if let Some(c) = &self.currency {
            query = query.eq("currency", c.as_str());
        }
        if let Some(c) = self.customer {
            query = query.eq("customer_id", c);
        }
        if let Some(q) = &self.q {
            query = query.search(q.as_str());
        }
        query
    }
}

/// An order's list row as the page and the CSV show it.
#[derive(Debug, Serialize)]
struct Row {
    id: String,
    reference: String,
    created: String,
    email: String,
    customer_id: Option<i64>,
    state: String,
    process: String,
    currency: String,
    grand_total: i64,
    items: usize,
}

impl From<Record<OrderRow>> for Row {
    fn from(r: Record<OrderRow>) -> Row {
        Row {
            id: r.id,
            reference: r.data.reference,
            created: stamp(r.data.created),
            email: r.data.email,
            customer_id: r.data.customer_id,
            state: r.data.state,
            process: r.data.process,
            currency: r.data.currency,
            grand_total: r.data.grand_total,
            items: r.data.items,
        }
    }
}

#[derive(Serialize)]
struct IndexContext {
    orders: Vec<Row>,
    filters: Filters,
    states: Vec<&'static str>,
    next: Option<String>,
    /// The filters as a query string, for the next-page and export links.
    query: String,
}

fn query_string(f: &Filters) -> String {
    url::Query::new()
        .add_some("state", f.state.as_deref())
        .add_some("process", f.process.as_deref())
        .add_some("currency", f.currency.as_deref())
        .add_some("customer", f.customer)
        .add_some("from", f.from.as_deref())
        .add_some("to", f.to.as_deref())
        .add_some("q", f.q.as_deref())
        .to_string()
}

fn index(req: &Request) -> Reply {
    let filters = Filters::read(req)?;
    let mut query = filters.query().limit(50);
    if let Some(after) = req.query("after").filter(|a| !a.is_empty()) {
        query = query.after(after);
    }
    let page = query.fetch()?;
    let ctx = IndexContext {
        orders: page.records.into_iter().map(Row::from).collect(),
        query: query_string(&filters),
        filters,
        states: process::all_states().iter().map(|s| s.name).collect(),
        next: page.next_cursor,
    };
    Ok(view_or_json(req, "orders/index.html", "Orders", &ctx))
}

/// Rows a CSV export holds at most (one call must finish within the plugin's deadline).
pub const EXPORT_MAX: usize = 10_000;

/// The filtered list as CSV (texts guarded against spreadsheet formulas, see
/// `backoffice_sdk::csv`).
fn export(req: &Request) -> Reply {
    let filters = Filters::read(req)?;
    let mut out = csv::Writer::new();
    out.row([
        "reference",
        "created",
        "email",
        "customer_id",
        "state",
        "process",
        "currency",
        "grand_total",
        "items",
    ]);
    let mut after: Option<String> = None;
    let mut rows = 0;
    loop {
        let mut query = filters.query().limit(1000);
        if let Some(a) = &after {
            query = query.after(a.as_str());
        }
        let page = query.fetch()?;
        for o in page.records {
            let r = Row::from(o);
            out.row([
                Cell::from(r.reference),
                r.created.into(),
                r.email.into(),
                r.customer_id.into(),
                r.state.into(),
                r.process.into(),
                r.currency.into(),
                r.grand_total.into(),
                r.items.into(),
            ]);
            rows += 1;
        }
        match page.next_cursor {
            Some(next) if rows < EXPORT_MAX => after = Some(next),
            _ => break,
        }
    }
    Ok(download(
        "orders.csv",
        "text/csv; charset=utf-8",
        out.into_bytes(),
    ))
}

// ---- detail ----

#[derive(Serialize)]
struct ItemView {
    #[serde(flatten)]
    item: crate::model::Item,
    state_label: String,
    /// The manual events valid in the item's state.
    events: Vec<&'static str>,
}

#[derive(Serialize)]
struct ShowContext {
    id: String,
    version: i64,
    order: OrderData,
    items: Vec<ItemView>,
    /// Manual events valid for at least one item (order-level buttons).
    order_events: Vec<&'static str>,
    created: String,
    refundable: i64,
    history: Vec<HistoryView>,
    /// Decimals of the order's currency: amounts are shown and typed in major units.
    digits: u8,
}

#[derive(Serialize)]
struct HistoryView {
    item_id: String,
    from: String,
    to: String,
    event: String,
    by: String,
    at: String,
}

fn show(req: &Request) -> Reply {
    let id = input::required(req, "id")?;
    let order = load_order(&id)?;
    let p: Process = process::process(&order.data.process).ok_or_else(|| {
        Failure::internal(format!("unknown order process {}", order.data.process))
    })?;
    let items: Vec<ItemView> = order
        .data
        .items
        .iter()
        .map(|i| ItemView {
            state_label: p
                .state(&i.state)
                .map_or(i.state.clone(), |s| s.label.to_owned()),
            events: p.manual_events(&i.state),
            item: i.clone(),
        })
        .collect();
    let mut order_events: Vec<&'static str> = Vec::new();
    for e in items.iter().flat_map(|i| i.events.iter()) {
        if !order_events.contains(e) {
            order_events.push(e);
        }
    }
    let history = order
        .data
        .history
        .iter()
        .map(|h| HistoryView {
            item_id: h.item_id.clone(),
            from: h.from.clone(),
            to: h.to.clone(),
            event: h.event.clone(),
            by: h.by.clone(),
            at: stamp(h.at),
        })
        .collect();
    let ctx = ShowContext {
        refundable: order.data.totals.paid - order.data.totals.refunded,
        digits: money::minor_units(&order.data.currency),
        created: stamp(order.data.created),
        id: order.id,
        version: order.version,
        items,
        order_events,
        history,
        order: order.data,
    };
    let title = format!("Order {}", ctx.order.reference);
    Ok(view_or_json(req, "orders/show.html", &title, &ctx))
}

// ---- events ----

#[derive(Deserialize, Default)]
#[serde(default)]
struct TriggerJson {
    id: String,
    event: String,
    items: Vec<String>,
}

fn trigger(req: &Request) -> Reply {
    let body = if req.body.is_some() {
        req.json::<TriggerJson>()?
    } else {
        TriggerJson {
            id: req.form("id").unwrap_or("").to_owned(),
            event: req.form("event").unwrap_or("").to_owned(),
            items: req.form_all("item").map(str::to_owned).collect(),
        }
    };
    if body.id.is_empty() || body.event.is_empty() {
        return Err(Failure::unprocessable("id and event are required"));
    }
    crate::counters::lock()?;
    let mut order = load_order(&body.id)?;
    let by = actor();
    transitions::apply(&mut order, |data| {
        transitions::trigger(data, &body.event, &body.items, &by)
    })?;
    audit(
        "order.event",
        &format!("order {}", order.data.reference),
        &format!(
            "{} on items {}",
            body.event,
            if body.items.is_empty() {
                "all".into()
            } else {
                body.items.join(",")
            }
        ),
    );
    done(req, &order.id, &format!("{} done", body.event))
}

/// After a write: the order as JSON, or back to its page with a message.
pub(crate) fn done(req: &Request, id: &str, message: &str) -> Reply {
    if req.wants_json {
        let order = load_order(id)?;
        return Ok(json(
            &serde_json::json!({"id": order.id, "version": order.version, "order": order.data}),
        ));
    }
    Ok(redirect(show_path(id)).flash(message))
}

// ---- addresses, comments, refunds ----

fn which(req: &Request) -> Result<&'static str, Failure> {
    match input::param(req, "which").as_deref() {
        Some("billing") => Ok("billing"),
        Some("shipping") => Ok("shipping"),
        _ => Err(Failure::unprocessable("which must be billing or shipping")),
    }
}

fn address_form(req: &Request) -> Reply {
    let id = input::required(req, "id")?;
    let which = which(req)?;
    let order = load_order(&id)?;
    let address = if which == "billing" {
        &order.data.billing
    } else {
        &order.data.shipping
    };
    let ctx = serde_json::json!({
        "id": order.id, "version": order.version, "which": which,
        "reference": order.data.reference, "address": address,
    });
    Ok(view_or_json(
        req,
        "orders/address.html",
        "Edit address",
        &ctx,
    ))
}

fn update_address(req: &Request) -> Reply {
    let id = input::required(req, "id")?;
    let which = which(req)?;
    let version: i64 = input::required(req, "version")?
        .parse()
        .map_err(|_| Failure::unprocessable("version must be a number"))?;
    let mut address = if req.body.is_some() {
        serde_json::from_value(
            req.json::<serde_json::Value>()?
                .get("address")
                .cloned()
                .ok_or_else(|| Failure::unprocessable("address is required"))?,
        )
        .map_err(|e| Failure::unprocessable(format!("address: {e}")))?
    } else {
        input::address_from_form(req, "address")
    };
    input::check_address(&mut address, which)?;
    let mut order = load_order(&id)?;
    if which == "billing" {
        order.data.billing = address;
    } else {
        order.data.shipping = address;
    }
    orders()
        .replace(&order.id, &order.data, version)
        .map_err(|e| orders().failure(e, &order.data))?;
    audit(
        "order.address",
        &format!("order {}", order.data.reference),
        which,
    );
    done(req, &order.id, "Address saved")
}

fn comment(req: &Request) -> Reply {
    let id = input::required(req, "id")?;
    let text = input::required(req, "text")?;
    if text.chars().count() > COMMENT_MAX {
        return Err(Failure::unprocessable(format!(
            "text is longer than {COMMENT_MAX} characters"
        )));
    }
    let mut order = load_order(&id)?;
    order.data.comments.push(Comment {
        by: actor(),
        at: now(),
        text,
    });
    orders().save(&order, &order.data)?;
    done(req, &order.id, "Comment added")
}

/// A refund of `amount`: minor units in JSON, major units in the form (`12.50`).
fn refund(req: &Request) -> Reply {
    let id = input::required(req, "id")?;
    let reason = input::param(req, "reason").unwrap_or_default();
    let mut order = load_order(&id)?;
    let currency = order.data.currency.clone();
    let digits = money::minor_units(&currency);
    let mut errors = Errors::new();
    let amount = Fields::from_request(req)?.money("amount", digits, &mut errors);
    errors.finish()?;
    let amount = amount.ok_or_else(|| Failure::unprocessable("amount is required"))?;
    let refundable = order.data.totals.paid - order.data.totals.refunded;
    if amount <= 0 {
        return Err(Failure::unprocessable("amount must be positive"));
    }
    if amount > refundable {
        return Err(Failure::unprocessable(format!(
            "a refund of {} {currency} is more than the {} {currency} paid and not yet refunded",
            money::major(amount, digits),
            money::major(refundable, digits)
        )));
    }
    order.data.totals.refunded += amount;
    order.data.refunds.push(Refund {
        amount,
        reason,
        by: actor(),
        at: now(),
    });
    orders().save(&order, &order.data)?;
    audit(
        "order.refund",
        &format!("order {}", order.data.reference),
        &format!("{amount} cents"),
    );
    done(req, &order.id, "Refund recorded")
}

/// Day bounds as list filters, for the matrix's links.
pub fn range_query(from: Option<i64>, to: Option<i64>) -> String {
    let mut q = String::new();
    if let Some(f) = from {
        q.push_str(&format!("&from={}", ymd(f)));
    }
    if let Some(t) = to {
        q.push_str(&format!("&to={}", ymd(t)));
    }
    q
}
