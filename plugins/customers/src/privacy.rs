//! Data protection: everything stored about a customer as one JSON document (a download in the
//! Back Office and on the storefront), anonymisation (personal fields cleared, email randomised
//! here and in the host account, addresses and company membership removed, the account
//! blocked, `customers.anonymised` published, audited) and the list of customers' requests.

use backoffice_sdk::prelude::*;
use backoffice_sdk::services::customer_accounts as accounts;
use serde::Serialize;

use crate::customers::{CustomerOut, account_failure, load_customer, written};
use crate::model::{self, CustomerData, DataRequestData, customers, data_requests, groups};
use crate::rules;

/// The topic other sections subscribe to, to anonymise what they hold about the customer.
pub const ANONYMISED: &str = "customers.anonymised";

pub fn routes(router: Router) -> Router {
    router
        .get("privacy", "index", requests)
        .get("customers", "export", export)
        .post("customers", "anonymise", anonymise)
}

#[derive(Debug, Serialize)]
struct GroupName {
    id: String,
    name: String,
}

/// Everything this section stores about one customer.
#[derive(Debug, Serialize)]
pub struct Export {
    customer: CustomerOut,
    addresses: Vec<Out<model::AddressData>>,
    groups: Vec<GroupName>,
    company: Option<crate::b2b::Membership>,
    data_requests: Vec<Out<DataRequestData>>,
    exported_at: i64,
}

pub fn export_of(customer: Record<CustomerData>) -> Result<Export, Failure> {
    let mut group_names = Vec::new();
    for id in &customer.data.group_ids {
        if let Some(g) = groups().find(id)? {
            group_names.push(GroupName {
                id: g.id,
                name: g.data.name,
            });
        }
    }
    Ok(Export {
        addresses: crate::addresses::of(&customer.id)?
            .into_iter()
            .map(Out::from)
            .collect(),
        company: crate::b2b::membership_of(&customer.id)?,
        data_requests: model::all(&data_requests(), "customer_ref", &customer.id)?
            .into_iter()
            .map(Out::from)
            .collect(),
        groups: group_names,
        customer: customer.into(),
        exported_at: rules::now(),
    })
}

/// The export as a JSON file named after the reference.
pub fn export_file(export: &Export, reference: &str) -> Result<Response, Failure> {
    let bytes = serde_json::to_vec_pretty(export)
        .map_err(|e| Failure::internal(format!("cannot encode the export: {e}")))?;
    Ok(download(
        format!("customer-{reference}.json"),
        "application/json",
        bytes,
    ))
}

fn export(req: &Request) -> Reply {
    let customer = load_customer(&input::required_id(req)?)?;
    let reference = customer.id.clone();
    let data = export_of(customer)?;
    services::audit("customer.export", &reference, "data export downloaded");
    export_file(&data, &reference)
}

fn anonymise(req: &Request) -> Reply {
    let current = load_customer(&input::required_id(req)?)?;
    if current.data.anonymised {
        return Err(Failure::conflict(format!(
            "customer {} is already anonymised",
            current.id
        )));
    }
    let email = format!(
        "anonymised-{}@anonymised.invalid",
        rules::random_code(16).to_lowercase()
    );
    let account = current.data.customer_id;
    accounts::set_email(account, &email).map_err(|e| account_failure(e, &email))?;
    accounts::set_blocked(account, true).map_err(|e| account_failure(e, &email))?;
    for address in crate::addresses::of(&current.id)? {
        crate::addresses::remove(&address)?;
    }
    crate::b2b::users::remove_customer(&current.id)?;
    for request in model::all(&data_requests(), "customer_ref", &current.id)? {
        if request.data.status == "open" {
            data_requests().patch(&request.id, &serde_json::json!({ "status": "done" }))?;
        }
    }
    let mut data = CustomerData {
        reference: current.data.reference.clone(),
        email,
        customer_id: account,
        created: current.data.created,
        ..CustomerData::default()
    };
    data.set_state(true, true);
    let customer = customers().save(&current, &data)?;
    services::publish(
        ANONYMISED,
        &serde_json::json!({ "reference": customer.id, "customer_id": account }),
    )
    .map_err(Failure::internal)?;
    services::audit("customer.anonymise", &customer.id, "personal data removed");
    Ok(written(req, customer, "Customer anonymised"))
}

#[derive(Debug, Serialize)]
struct RequestsContext {
    requests: Vec<Out<DataRequestData>>,
    status: &'static str,
    next: Option<String>,
}

/// Customers' export and deletion requests, newest first; `status=open` (default) or `done`.
fn requests(req: &Request) -> Reply {
    let status = input::choice(req, "status", &["open", "done"])?.unwrap_or("open");
    let mut q = data_requests()
        .query()
        .eq("status", status)
        .sort_desc("created")
        .limit(input::limit(req)?);
    if let Some(after) = input::query(req, "after") {
        q = q.after(after);
    }
    let page = q.fetch()?;
    let ctx = RequestsContext {
        requests: page.records.into_iter().map(Out::from).collect(),
        status,
        next: page.next_cursor,
    };
    Ok(view_or_json(
        req,
        "privacy/index.html",
        "Data protection requests",
        &ctx,
    ))
}

/// Records a customer's request (the storefront's privacy page). An export is answered at
/// once, so it is recorded as done; a deletion stays open until someone anonymises.
pub fn record_request(customer_ref: &str, kind: &str) -> Result<Record<DataRequestData>, Failure> {
    let data = DataRequestData {
        customer_ref: customer_ref.to_owned(),
        kind: kind.to_owned(),
        status: if kind == "export" { "done" } else { "open" }.into(),
        created: rules::now(),
    };
    Ok(data_requests().insert(&data)?)
}
