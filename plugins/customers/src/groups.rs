//! Customer groups: create, rename, delete, and membership (a customer's `group_ids`, indexed
//! as `groups` so the customer list filters by group). Shared read-only with other sections,
//! e.g. discounts that target a group.

use backoffice_sdk::prelude::*;
use serde::Serialize;

use crate::customers::{CustomerOut, load_customer};
use crate::model::{CustomerData, GroupData, customers, groups};
use crate::rules;

pub fn routes(router: Router) -> Router {
    router
        .get("groups", "index", index)
        .get("groups", "show", show)
        .get("groups", "create", new_form)
        .post("groups", "create", create)
        .get("groups", "edit", edit_form)
        .post("groups", "edit", update)
        .post("groups", "delete", delete)
        .post("groups", "add-member", add_member)
        .post("groups", "remove-member", remove_member)
}

fn show_path(id: &str) -> String {
    url::with_param("/admin/customers/groups/show", "id", id)
}

fn apply(fields: &Fields, data: &mut GroupData) -> Result<(), Failure> {
    let mut errors = Errors::default();
    if let Some(name) = fields.text("name", &mut errors) {
        data.name = name;
    }
    if let Some(d) = fields.text("description", &mut errors) {
        data.description = d;
    }
    rules::NAME
        .required()
        .check("name", &data.name, &mut errors);
    rules::NOTES.check("description", &data.description, &mut errors);
    errors.finish()
}

#[derive(Debug, Serialize)]
struct IndexContext {
    groups: Vec<Out<GroupData>>,
}

fn index(req: &Request) -> Reply {
    let page = groups().query().sort("name").limit(1000).fetch()?;
    let ctx = IndexContext {
        groups: page.records.into_iter().map(Out::from).collect(),
    };
    Ok(view_or_json(
        req,
        "groups/index.html",
        "Customer groups",
        &ctx,
    ))
}

#[derive(Debug, Serialize)]
struct ShowContext {
    group: Out<GroupData>,
    members: Vec<CustomerOut>,
    total: Option<u64>,
    next: Option<String>,
}

fn show(req: &Request) -> Reply {
    let group = groups().load(&input::required_id(req)?)?;
    let mut q = customers()
        .query()
        .filter("groups", Op::Contains, format!("|{}|", group.id))
        .sort("last_name")
        .limit(input::limit(req)?)
        .count_total();
    if let Some(after) = input::query(req, "after") {
        q = q.after(after);
    }
    let page = q.fetch()?;
    let title = group.data.name.clone();
    let ctx = ShowContext {
        group: group.into(),
        members: page.records.into_iter().map(CustomerOut::from).collect(),
        total: page.total,
        next: page.next_cursor,
    };
    Ok(view_or_json(req, "groups/show.html", &title, &ctx))
}

#[derive(Debug, Serialize)]
struct FormContext {
    group: Option<Out<GroupData>>,
    action: &'static str,
}

fn new_form(req: &Request) -> Reply {
    let ctx = FormContext {
        group: None,
        action: "create",
    };
    Ok(view_or_json(req, "groups/form.html", "New group", &ctx))
}

fn edit_form(req: &Request) -> Reply {
    let group = groups().load(&input::required_id(req)?)?;
    let ctx = FormContext {
        group: Some(group.into()),
        action: "edit",
    };
    Ok(view_or_json(req, "groups/form.html", "Edit group", &ctx))
}

fn written(req: &Request, group: Record<GroupData>, flash: &str) -> Response {
    let location = show_path(&group.id);
    json_or_redirect(
        req,
        &serde_json::json!({ "group": Out::from(group) }),
        location,
        flash,
    )
}

fn create(req: &Request) -> Reply {
    let mut data = GroupData::default();
    apply(&Fields::from_request(req)?, &mut data)?;
    let group = groups().add(&data)?;
    Ok(written(req, group, "Group created"))
}

fn update(req: &Request) -> Reply {
    let current = groups().load(&input::required_id(req)?)?;
    input::check_version("the group", input::version(req)?, current.version)?;
    let mut data = current.data.clone();
    apply(&Fields::from_request(req)?, &mut data)?;
    let group = groups().update(&current, &data)?;
    Ok(written(req, group, "Group saved"))
}

/// Deletes the group and takes every member out of it.
fn delete(req: &Request) -> Reply {
    let group = groups().load(&input::required_id(req)?)?;
    let mut removed = 0;
    loop {
        let page = customers()
            .query()
            .filter("groups", Op::Contains, format!("|{}|", group.id))
            .limit(500)
            .fetch()?;
        if page.records.is_empty() {
            break;
        }
        for c in page.records {
            set_membership(c, &group.id, false)?;
            removed += 1;
        }
    }
    groups().delete(&group.id)?;
    services::audit(
        "group.delete",
        &group.id,
        &format!("{} ({removed} members)", group.data.name),
    );
    if req.wants_json {
        Ok(json(
            &serde_json::json!({ "deleted": group.id, "members_removed": removed }),
        ))
    } else {
        Ok(redirect("/admin/customers/groups/index").flash("Group deleted"))
    }
}

fn set_membership(
    customer: Record<CustomerData>,
    group_id: &str,
    member: bool,
) -> Result<Record<CustomerData>, Failure> {
    let mut ids = customer.data.group_ids.clone();
    let has = ids.iter().any(|g| g == group_id);
    if has == member {
        return Ok(customer);
    }
    if member {
        ids.push(group_id.to_owned());
    } else {
        ids.retain(|g| g != group_id);
    }
    let mut data = customer.data.clone();
    data.set_groups(ids);
    customers().save(&customer, &data)
}

fn membership(req: &Request, member: bool) -> Reply {
    let group = groups().load(&input::required_id(req)?)?;
    let customer = load_customer(&input::required(req, "customer")?)?;
    let customer = set_membership(customer, &group.id, member)?;
    let action = if member {
        "group.add-member"
    } else {
        "group.remove-member"
    };
    services::audit(action, &group.id, &format!("customer {}", customer.id));
    if req.wants_json {
        Ok(json(
            &serde_json::json!({ "customer": CustomerOut::from(customer) }),
        ))
    } else {
        let flash = if member {
            "Added to the group"
        } else {
            "Removed from the group"
        };
        Ok(redirect(crate::customers::show_path(&customer.id)).flash(flash))
    }
}

fn add_member(req: &Request) -> Reply {
    membership(req, true)
}

fn remove_member(req: &Request) -> Reply {
    membership(req, false)
}
