//! The agent-assist section (issue #24). The host owns the agent realm: the `/agent/…` pages,
//! the agent session, which customer it assists, the banner, `acting-agent` on every plugin call
//! and the audit rows (`host/src/web/agent.rs`). This section owns what the host does not know:
//! whom an agent may assist (assignments), finding customers (a granted read of the customers
//! section) — both as answers to the host's points `host.agent-customers` and
//! `host.agent-assist` — and, from the host's events, the assistance history, its Back Office
//! pages and the dashboard widget of active assistances. README.md is the contract.

mod assignments;
mod customers;
mod history;
mod model;
mod points;

use backoffice_sdk::customers as shared;
use backoffice_sdk::prelude::*;
use serde::Serialize;

struct AgentAssist;

/// The dashboard widget of assistances going on now.
const WIDGET: &str = "active-assistances";

fn routes() -> Router {
    Router::new()
        .get("assistances", "index", history::index)
        .get("assignments", "index", assignments::index)
        .post("assignments", "create", assignments::create)
        .post("assignments", "delete", assignments::delete)
}

/// Bundled templates, by name.
const TEMPLATES: &[(&str, &str)] = &[
    (
        "assistances/index.html",
        include_str!("../templates/assistances/index.html"),
    ),
    (
        "assignments/index.html",
        include_str!("../templates/assignments/index.html"),
    ),
    (
        "widgets/active.html",
        include_str!("../templates/widgets/active.html"),
    ),
];

#[derive(Serialize)]
struct WidgetContext {
    active: Vec<Out<model::Assistance>>,
    total: u64,
}

impl Plugin for AgentAssist {
    fn manifest() -> Manifest {
        Manifest::new("agent-assist", "Agent assist", env!("CARGO_PKG_VERSION"))
            .describe(
                "Agents acting on a customer's behalf: assignments, history, active assistances",
            )
            .nav("Assistances", "assistances", "index")
            .nav("Assignments", "assignments", "index")
            .acl_from(&routes())
            .collection(model::assignments_collection())
            .collection(model::assistances_collection())
            .reads(shared::READS.0, shared::READS.1)
            .subscribe(history::STARTED)
            .subscribe(history::ENDED)
            .provides(points::SEARCH, 10)
            .provides(points::ASSIST, 10)
            .widget(WIDGET, "Active assistances")
            .templates(TEMPLATES)
    }

    fn handle(req: Request) -> Response {
        routes().dispatch(&req)
    }

    fn on_event(event: Event) -> Result<(), String> {
        event.check_source()?;
        history::on_event(&event.topic, &event.payload)
    }

    fn provide(point: String, input: String) -> Result<String, String> {
        match point.as_str() {
            points::SEARCH => points::search(&input),
            points::ASSIST => points::assist(&input),
            _ => Err(format!("extension point `{point}` is not provided")),
        }
    }

    fn widget(name: String) -> Result<View, String> {
        if name != WIDGET {
            return Err(format!("no widget named `{name}`"));
        }
        let page = model::assistances()
            .query()
            .eq("status", "active")
            .sort_desc("started_at")
            .limit(10)
            .count_total()
            .fetch()
            .map_err(|e| format!("{e:?}"))?;
        let ctx = WidgetContext {
            total: page.total.unwrap_or(0),
            active: page.records.into_iter().map(Out::from).collect(),
        };
        match view("widgets/active.html", "Active assistances", &ctx) {
            Response::View(v) => Ok(v),
            _ => Err("the widget context does not encode".into()),
        }
    }
}

backoffice_sdk::export!(AgentAssist);
