//! Customer accounts in the Back Office: the list (search, filters, sort, keyset paging, CSV),
//! the customer page, create (the host account and a set-password link shown once), edit, block
//! and unblock. The profile rules here are also the storefront's (`storefront.rs`).

use backoffice_sdk::csv;
use backoffice_sdk::prelude::*;
use backoffice_sdk::services::customer_accounts::{self as accounts, AccountError};
use serde::Serialize;

use crate::model::{self, CustomerData, customers, groups};
use crate::rules;

pub const STATUSES: &[&str] = &["active", "blocked", "anonymised"];
const SORTS: &[&str] = &["created", "last_name", "email", "reference"];
/// The most rows one CSV export writes; narrow the filters for more.
pub const CSV_MAX: u64 = 20_000;

pub fn routes(router: Router) -> Router {
    router
        .get("customers", "index", index)
        .get("customers", "csv", csv)
        .get("customers", "show", show)
        .get("customers", "create", new_form)
        .post("customers", "create", create)
        .get("customers", "edit", edit_form)
        .post("customers", "edit", update)
        .post("customers", "block", block)
        .post("customers", "unblock", unblock)
        .post("customers", "password-link", password_link)
}

pub fn show_path(reference: &str) -> String {
    url::with_param("/admin/customers/customers/show", "id", reference)
}

pub fn load_customer(reference: &str) -> Result<Record<CustomerData>, Failure> {
    customers().load(reference)
}

/// A customer as answered: its stored fields, id and version.
pub type CustomerOut = Out<CustomerData>;

/// Maps the host account errors onto answers a user understands.
pub fn account_failure(e: AccountError, email: &str) -> Failure {
    match e {
        AccountError::EmailTaken => Failure::conflict(format!(
            "the email {email} is already used by another customer"
        )),
        AccountError::Invalid(m) => Failure::unprocessable(m),
        AccountError::NotFound => Failure::not_found("the customer's account no longer exists"),
        AccountError::Forbidden(m) => Failure::forbidden(m),
    }
}

/// A reference no customer has yet: `CU-` and eight characters.
pub fn new_reference() -> Result<String, Failure> {
    for _ in 0..8 {
        let reference = format!("CU-{}", rules::random_code(8));
        if customers().find(&reference)?.is_none() {
            return Ok(reference);
        }
    }
    Err(Failure::internal(
        "could not generate a free customer reference",
    ))
}

/// Applies the profile fields present in `fields` onto `data` and validates the result.
/// `require_names` makes first and last name mandatory (Back Office and the storefront
/// profile form; a fresh registration has none yet).
pub fn apply_profile(
    fields: &Fields,
    data: &mut CustomerData,
    errors: &mut Errors,
    require_names: bool,
) {
    let mut set = |name: &str, slot: &mut String| {
        if let Some(v) = fields.text(name, errors) {
            *slot = v;
        }
    };
    set("salutation", &mut data.salutation);
    set("first_name", &mut data.first_name);
    set("last_name", &mut data.last_name);
    set("gender", &mut data.gender);
    set("date_of_birth", &mut data.date_of_birth);
    set("phone", &mut data.phone);
    set("locale", &mut data.locale);
    set("notes", &mut data.notes);
    rules::one_of(errors, "salutation", &data.salutation, rules::SALUTATIONS);
    let name = input::Text {
        required: require_names,
        ..rules::NAME
    };
    name.check("first_name", &data.first_name, errors);
    name.check("last_name", &data.last_name, errors);
    rules::one_of(errors, "gender", &data.gender, rules::GENDERS);
    rules::date_of_birth(errors, &data.date_of_birth, rules::now());
    rules::phone(errors, "phone", &data.phone);
    rules::locale(errors, &data.locale);
    rules::NOTES.check("notes", &data.notes, errors);
}

// ---- list and CSV ----

/// The list's filters, read from the query string (shared by the page and the CSV).
#[derive(Debug, Serialize)]
struct Filters {
    q: Option<String>,
    status: Option<&'static str>,
    group: Option<String>,
    gender: Option<String>,
    created_from: Option<String>,
    created_to: Option<String>,
    sort: &'static str,
    dir: &'static str,
}

impl Filters {
    fn from(req: &Request) -> Result<Filters, Failure> {
        let status = input::choice(req, "status", STATUSES)?;
        let gender = input::query(req, "gender").map(str::to_owned);
        if let Some(g) = &gender
            && !rules::GENDERS.contains(&g.as_str())
        {
            return Err(Failure::bad_request(
                "gender must be one of male, female, diverse",
            ));
        }
        let date = |name: &str| -> Result<Option<String>, Failure> {
            match input::query(req, name) {
                None => Ok(None),
                Some(v) if rules::day_start(v).is_some() => Ok(Some(v.to_owned())),
                Some(_) => Err(Failure::bad_request(format!(
                    "{name} must be a date written YYYY-MM-DD"
                ))),
            }
        };
        Ok(Filters {
            q: input::query(req, "q").map(str::to_owned),
            status,
            group: input::query(req, "group").map(str::to_owned),
            gender,
            created_from: date("created_from")?,
            created_to: date("created_to")?,
            sort: input::choice(req, "sort", SORTS)?.unwrap_or(SORTS[0]),
            dir: input::choice(req, "dir", &["desc", "asc"])?.unwrap_or("desc"),
        })
    }

    fn query(&self) -> backoffice_sdk::storage::Query<CustomerData> {
        let mut q = customers().query();
        q = if self.dir == "desc" {
            q.sort_desc(self.sort)
        } else {
            q.sort(self.sort)
        };
        if let Some(status) = self.status {
            q = q.eq("status", status);
        }
        if let Some(group) = &self.group {
            q = q.filter("groups", Op::Contains, format!("|{group}|"));
        }
        if let Some(gender) = &self.gender {
            q = q.eq("gender", gender.as_str());
        }
        if let Some(from) = self.created_from.as_deref().and_then(rules::day_start) {
            q = q.filter("created", Op::Gte, from);
        }
        if let Some(to) = self.created_to.as_deref().and_then(rules::day_start) {
            q = q.filter("created", Op::Lt, to + 86_400);
        }
        if let Some(text) = &self.q {
            q = q.search(text.as_str());
        }
        q
    }
}

#[derive(Debug, Serialize)]
struct GroupRef {
    id: String,
    name: String,
}

fn group_refs() -> Result<Vec<GroupRef>, Failure> {
    let page = groups().query().sort("name").limit(1000).fetch()?;
    Ok(page
        .records
        .into_iter()
        .map(|g| GroupRef {
            id: g.id,
            name: g.data.name,
        })
        .collect())
}

#[derive(Debug, Serialize)]
struct IndexContext {
    customers: Vec<CustomerOut>,
    filters: Filters,
    groups: Vec<GroupRef>,
    statuses: &'static [&'static str],
    limit: u32,
    total: Option<u64>,
    next: Option<String>,
    /// The query string of the current filters, for the next-page and CSV links.
    filter_query: String,
}

fn filter_query(f: &Filters, limit: u32) -> String {
    url::Query::new()
        .add("sort", f.sort)
        .add("dir", f.dir)
        .add("limit", limit)
        .add_some("q", f.q.as_deref())
        .add_some("status", f.status)
        .add_some("group", f.group.as_deref())
        .add_some("gender", f.gender.as_deref())
        .add_some("created_from", f.created_from.as_deref())
        .add_some("created_to", f.created_to.as_deref())
        .to_string()
}

fn index(req: &Request) -> Reply {
    let filters = Filters::from(req)?;
    let limit = input::limit(req)?;
    let mut q = filters.query().limit(limit).count_total();
    if let Some(after) = input::query(req, "after") {
        q = q.after(after);
    }
    let page = q.fetch()?;
    let groups = if req.wants_json {
        Vec::new()
    } else {
        group_refs()?
    };
    let ctx = IndexContext {
        customers: page.records.into_iter().map(CustomerOut::from).collect(),
        filter_query: filter_query(&filters, limit),
        filters,
        groups,
        statuses: STATUSES,
        limit,
        total: page.total,
        next: page.next_cursor,
    };
    Ok(view_or_json(req, "customers/index.html", "Customers", &ctx))
}

const CSV_COLUMNS: &[&str] = &[
    "reference",
    "email",
    "salutation",
    "first_name",
    "last_name",
    "gender",
    "date_of_birth",
    "phone",
    "locale",
    "status",
    "created",
];

/// The filtered list as CSV (texts guarded against spreadsheet formulas, see
/// `backoffice_sdk::csv`).
fn csv(req: &Request) -> Reply {
    let filters = Filters::from(req)?;
    let total = filters
        .query()
        .limit(1)
        .count_total()
        .fetch()?
        .total
        .unwrap_or(0);
    if total > CSV_MAX {
        return Err(Failure::unprocessable(format!(
            "the export is limited to {CSV_MAX} customers and {total} match: narrow the filters"
        )));
    }
    let mut out = csv::Writer::new();
    out.row(CSV_COLUMNS.iter().copied());
    let mut after: Option<String> = None;
    loop {
        let mut q = filters.query().limit(1000);
        if let Some(cursor) = &after {
            q = q.after(cursor.as_str());
        }
        let page = q.fetch()?;
        for r in &page.records {
            let d = &r.data;
            let texts = [
                &d.reference,
                &d.email,
                &d.salutation,
                &d.first_name,
                &d.last_name,
                &d.gender,
                &d.date_of_birth,
                &d.phone,
                &d.locale,
                &d.status,
            ];
            let cells = texts.into_iter().map(csv::Cell::from);
            out.row(cells.chain([csv::Cell::from(d.created)]));
        }
        match page.next_cursor {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    services::audit("customer.csv-export", "customers", &format!("{total} rows"));
    Ok(download(
        "customers.csv",
        "text/csv; charset=utf-8",
        out.into_bytes(),
    ))
}

// ---- show ----

#[derive(Debug, Serialize)]
struct ShowContext {
    customer: CustomerOut,
    addresses: Vec<Out<model::AddressData>>,
    groups: Vec<GroupRef>,
    all_groups: Vec<GroupRef>,
    company: Option<crate::b2b::Membership>,
    requests: Vec<Out<model::DataRequestData>>,
    /// Agent assist: who acted for this customer, newest first.
    assistances: Vec<crate::assistances::Assistance>,
}

fn show(req: &Request) -> Reply {
    let customer = load_customer(&input::required_id(req)?)?;
    let addresses = crate::addresses::of(&customer.id)?;
    let all_groups = group_refs()?;
    let groups = all_groups
        .iter()
        .filter(|g| customer.data.group_ids.contains(&g.id))
        .map(|g| GroupRef {
            id: g.id.clone(),
            name: g.name.clone(),
        })
        .collect();
    let company = crate::b2b::membership_of(&customer.id)?;
    let requests = model::all(&model::data_requests(), "customer_ref", &customer.id)?
        .into_iter()
        .map(Out::from)
        .collect();
    let assistances = crate::assistances::of(customer.data.customer_id)?;
    let title = format!("Customer {}", customer.id);
    let ctx = ShowContext {
        customer: customer.into(),
        addresses: addresses.into_iter().map(Out::from).collect(),
        groups,
        all_groups,
        company,
        requests,
        assistances,
    };
    Ok(view_or_json(req, "customers/show.html", &title, &ctx))
}

// ---- create and edit ----

#[derive(Debug, Serialize)]
struct FormContext {
    customer: Option<CustomerOut>,
    action: &'static str,
    salutations: &'static [&'static str],
    genders: &'static [&'static str],
}

fn form(req: &Request, customer: Option<CustomerOut>, action: &'static str, title: &str) -> Reply {
    let ctx = FormContext {
        customer,
        action,
        salutations: rules::SALUTATIONS,
        genders: rules::GENDERS,
    };
    Ok(view_or_json(req, "customers/form.html", title, &ctx))
}

fn new_form(req: &Request) -> Reply {
    form(req, None, "create", "New customer")
}

fn edit_form(req: &Request) -> Reply {
    let customer = load_customer(&input::required_id(req)?)?;
    form(req, Some(customer.into()), "edit", "Edit customer")
}

#[derive(Debug, Serialize)]
struct LinkContext {
    customer: CustomerOut,
    /// Shown once: it is not stored anywhere but in the host's hashed reset tokens.
    set_password_link: String,
}

fn create(req: &Request) -> Reply {
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::default();
    let mut data = CustomerData::default();
    let email = fields.text("email", &mut errors).unwrap_or_default();
    data.email = rules::email(&mut errors, &email);
    apply_profile(&fields, &mut data, &mut errors, true);
    errors.finish()?;
    let created = accounts::create(&data.email).map_err(|e| account_failure(e, &data.email))?;
    data.reference = new_reference()?;
    data.customer_id = created.account.id;
    data.set_state(false, false);
    data.created = rules::now();
    let customer = customers()
        .put(&data.reference, &data)
        .map_err(|e| customers().failure(e, &data))?;
    services::audit(
        "customer.create",
        &customer.id,
        "created in the Back Office",
    );
    let ctx = LinkContext {
        customer: customer.into(),
        set_password_link: created.set_password_link,
    };
    Ok(view_or_json(
        req,
        "customers/link.html",
        "Customer created",
        &ctx,
    ))
}

fn update(req: &Request) -> Reply {
    let current = load_customer(&input::required_id(req)?)?;
    input::check_version("the customer", input::version(req)?, current.version)?;
    if current.data.anonymised {
        return Err(Failure::conflict("an anonymised customer cannot be edited"));
    }
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::default();
    let mut data = current.data.clone();
    if let Some(email) = fields.text("email", &mut errors) {
        data.email = rules::email(&mut errors, &email);
    }
    apply_profile(&fields, &mut data, &mut errors, true);
    errors.finish()?;
    if data.email != current.data.email {
        accounts::set_email(data.customer_id, &data.email)
            .map_err(|e| account_failure(e, &data.email))?;
    }
    let customer = customers().save(&current, &data)?;
    services::audit("customer.edit", &customer.id, "profile changed");
    Ok(written(req, customer, "Customer saved"))
}

/// After a write: the customer as JSON for scripts, back to its page for browsers.
pub fn written(req: &Request, customer: Record<CustomerData>, flash: &str) -> Response {
    let location = show_path(&customer.id);
    let body = serde_json::json!({ "customer": CustomerOut::from(customer) });
    json_or_redirect(req, &body, location, flash)
}

fn set_blocked(req: &Request, blocked: bool) -> Reply {
    let current = load_customer(&input::required_id(req)?)?;
    if current.data.anonymised {
        return Err(Failure::conflict("an anonymised customer stays blocked"));
    }
    accounts::set_blocked(current.data.customer_id, blocked)
        .map_err(|e| account_failure(e, &current.data.email))?;
    let customer = if current.data.blocked == blocked {
        current
    } else {
        let reference = current.id.clone();
        let mut data = current.data.clone();
        data.set_state(blocked, false);
        let c = customers().save(&current, &data)?;
        let action = if blocked {
            "customer.block"
        } else {
            "customer.unblock"
        };
        services::audit(action, &reference, "");
        c
    };
    let flash = if blocked {
        "Customer blocked"
    } else {
        "Customer unblocked"
    };
    Ok(written(req, customer, flash))
}

fn block(req: &Request) -> Reply {
    set_blocked(req, true)
}

fn unblock(req: &Request) -> Reply {
    set_blocked(req, false)
}

/// A fresh set-password link (the first one expired or was lost), shown once.
fn password_link(req: &Request) -> Reply {
    let customer = load_customer(&input::required_id(req)?)?;
    if customer.data.anonymised {
        return Err(Failure::conflict(
            "an anonymised customer has no account to sign in to",
        ));
    }
    let link = accounts::set_password_link(customer.data.customer_id)
        .map_err(|e| account_failure(e, &customer.data.email))?;
    services::audit(
        "customer.password-link",
        &customer.id,
        "set-password link issued",
    );
    let ctx = LinkContext {
        customer: customer.into(),
        set_password_link: link,
    };
    Ok(view_or_json(
        req,
        "customers/link.html",
        "Set-password link",
        &ctx,
    ))
}
