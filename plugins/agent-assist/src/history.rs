//! The assistance history: the host announces each start and end (`host.agent-assist-started`,
//! `host.agent-assist-ended`, at least once and in no guaranteed order), and this section keeps
//! one record per assistance for its pages, its widget and the customers section (shared).

use backoffice_sdk::prelude::*;
use backoffice_sdk::url::Query;
use serde::{Deserialize, Serialize};

use crate::model::{Assistance, assistances};

pub const STARTED: &str = "host.agent-assist-started";
pub const ENDED: &str = "host.agent-assist-ended";

#[derive(Debug, Deserialize)]
struct Ended {
    assistance_id: i64,
    agent_id: i64,
    customer_id: i64,
    ended_at: i64,
    how: String,
    acts: i64,
}

/// Applies a host event; idempotent (a redelivery writes the same record), and an end that
/// arrives before its start is kept (the start then fills in the rest without reopening it).
pub fn on_event(topic: &str, payload: &str) -> Result<(), String> {
    match topic {
        STARTED => {
            let started: Assistance =
                serde_json::from_str(payload).map_err(|e| format!("bad payload: {e}"))?;
            let id = started.assistance_id.to_string();
            let existing = assistances().find(&id).map_err(|e| format!("{e:?}"))?;
            let record = match existing {
                Some(r) if r.data.status == "ended" => Assistance {
                    ended_at: r.data.ended_at,
                    how: r.data.how,
                    acts: r.data.acts,
                    status: r.data.status,
                    ..started
                },
                _ => Assistance {
                    status: "active".into(),
                    ..started
                },
            };
            assistances()
                .put(&id, &record)
                .map(|_| ())
                .map_err(|e| format!("{e:?}"))
        }
        ENDED => {
            let ended: Ended =
                serde_json::from_str(payload).map_err(|e| format!("bad payload: {e}"))?;
            let id = ended.assistance_id.to_string();
            let mut record = assistances()
                .find(&id)
                .map_err(|e| format!("{e:?}"))?
                .map(|r| r.data)
                .unwrap_or(Assistance {
                    assistance_id: ended.assistance_id,
                    agent_id: ended.agent_id,
                    customer_id: ended.customer_id,
                    ..Assistance::default()
                });
            record.ended_at = Some(ended.ended_at);
            record.how = ended.how;
            record.acts = ended.acts;
            record.status = "ended".into();
            assistances()
                .put(&id, &record)
                .map(|_| ())
                .map_err(|e| format!("{e:?}"))
        }
        other => Err(format!("no handler for event topic `{other}`")),
    }
}

#[derive(Serialize)]
struct IndexContext {
    assistances: Vec<Out<Assistance>>,
    customer: Option<i64>,
    agent: Option<i64>,
    status: Option<String>,
    next: Option<String>,
}

/// `assistances/index`: the history, newest first, optionally of one customer (`customer`,
/// the host account id), one agent (`agent`, the user id) or one status (`active`, `ended`).
pub fn index(req: &Request) -> Reply {
    let id_param = |name: &str| -> Result<Option<i64>, Failure> {
        match input::query(req, name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                Failure::unprocessable(format!("{name} must be a whole number, not {v:?}"))
            }),
        }
    };
    let customer = id_param("customer")?;
    let agent = id_param("agent")?;
    let status = input::query(req, "status")
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    if let Some(s) = &status
        && s != "active"
        && s != "ended"
    {
        return Err(Failure::unprocessable("status must be active or ended"));
    }
    let mut query = assistances()
        .query()
        .sort_desc("started_at")
        .limit(input::limit(req)?);
    if let Some(c) = customer {
        query = query.eq("customer_id", c);
    }
    if let Some(a) = agent {
        query = query.eq("agent_id", a);
    }
    if let Some(s) = &status {
        query = query.eq("status", s.as_str());
    }
    if let Some(after) = input::query(req, "after") {
        query = query.after(after);
    }
    let page = query.fetch()?;
    let next = page.next_cursor.map(|cursor| {
        let q = Query::new()
            .add_some("customer", customer)
            .add_some("agent", agent)
            .add_some("status", status.as_deref())
            .add("after", cursor);
        format!("/admin/agent-assist/assistances/index?{q}")
    });
    let ctx = IndexContext {
        assistances: page.records.into_iter().map(Out::from).collect(),
        customer,
        agent,
        status,
        next,
    };
    Ok(view_or_json(
        req,
        "assistances/index.html",
        "Assistances",
        &ctx,
    ))
}
