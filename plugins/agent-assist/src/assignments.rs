//! Assignments (Spryker's "assign customers to users"): an agent with at least one assignment
//! may find and assist only the customers assigned to them; an agent without any may assist
//! every active customer. The agent is named by their Back Office user id (the Users page shows
//! it), which unlike an email never changes: an assignment cannot lapse by a rename and leave
//! the agent unrestricted.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::customers;
use crate::model::{Assignment, assignment_id, assignments};

const INDEX: &str = "/admin/agent-assist/assignments/index";

#[derive(Serialize)]
struct IndexContext {
    assignments: Vec<Out<Assignment>>,
    agent: Option<i64>,
    form: Form,
    errors: Errors,
}

#[derive(Debug, Default, Serialize)]
struct Form {
    agent_id: String,
    reference: String,
}

fn page(req: &Request, agent: Option<i64>, form: Form, errors: Errors) -> Reply {
    let mut query = assignments().query().sort("agent_id");
    if let Some(a) = agent {
        query = query.eq("agent_id", a);
    }
    let ctx = IndexContext {
        assignments: query.fetch_all()?.into_iter().map(Out::from).collect(),
        agent,
        form,
        errors,
    };
    Ok(view_or_json(
        req,
        "assignments/index.html",
        "Assignments",
        &ctx,
    ))
}

/// `assignments/index`: every assignment (or one agent's: `agent`), and the form to add one.
pub fn index(req: &Request) -> Reply {
    let agent =
        match input::query(req, "agent").filter(|v| !v.is_empty()) {
            None => None,
            Some(v) => Some(v.parse::<i64>().map_err(|_| {
                Failure::unprocessable(format!("agent must be a user id, not {v:?}"))
            })?),
        };
    page(req, agent, Form::default(), Errors::new())
}

/// `assignments/create`: `agent_id` (a user id) and `reference` (the customer's, e.g.
/// `CU-…`); 422 naming the field for an unknown customer, 409 when assigned already.
pub fn create(req: &Request) -> Reply {
    let fields = Fields::from_request(req)?;
    let mut errors = Errors::new();
    let agent_id = fields.integer("agent_id", &mut errors);
    let reference = fields.required_text("reference", &mut errors);
    if agent_id.is_some_and(|a| a <= 0) {
        errors.add("agent_id", "agent_id must be a user id (a positive number)");
    }
    let customer = if reference.is_empty() {
        None
    } else {
        customers::by_reference(&reference)?
    };
    match &customer {
        None if !reference.is_empty() => {
            errors.add("reference", format!("there is no customer {reference}"))
        }
        Some(c) if c.customer_id <= 0 => errors.add(
            "reference",
            format!("customer {reference} has no storefront account"),
        ),
        _ => {}
    }
    if agent_id.is_none() && !errors.has("agent_id") {
        errors.add("agent_id", "agent_id is required");
    }
    if !errors.is_empty() {
        if req.wants_json {
            errors.clone().finish()?; // one 422 naming every field
        }
        let form = Form {
            agent_id: fields
                .value("agent_id")
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .unwrap_or_default(),
            reference,
        };
        return page(req, None, form, errors);
    }
    let (Some(agent_id), Some(customer)) = (agent_id, customer) else {
        return Err(Failure::internal("checked above"));
    };
    let data = Assignment {
        agent_id,
        customer_id: customer.customer_id,
        reference: customer.reference,
        customer_name: customer.name,
        customer_email: customer.email,
        created: backoffice_sdk::dates::now(),
    };
    let saved = assignments()
        .on_conflict("this customer is assigned to this agent already")
        .add_at(&assignment_id(agent_id, data.customer_id), &data)?;
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "assignment": Out::from(saved) }),
        INDEX,
        "Assignment saved.",
    ))
}

/// `assignments/delete`: `id`.
pub fn delete(req: &Request) -> Reply {
    let id = input::required_id(req)?;
    let record = assignments().load(&id)?;
    assignments().remove(&record)?;
    Ok(json_or_redirect(
        req,
        &serde_json::json!({ "deleted": id }),
        INDEX,
        "Assignment removed.",
    ))
}
