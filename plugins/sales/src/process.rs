//! The order state machine as data, one process per payment method (as Spryker's OMS has):
//! a [`Process`] lists its states (with their flags) and the transitions between them. A
//! transition is taken by a *manual* event (a Back Office button), *automatically* on entering
//! its source state, or by a *timeout* after the item has been in its source state for a
//! number of seconds (a host timer, see `transitions.rs`).
//!
//! This module is pure: it decides, it never stores. `transitions.rs` applies its decisions to
//! orders and logs them.

use serde::Serialize;

/// A state an order item can be in.
#[derive(Debug, Clone, Serialize)]
pub struct State {
    pub name: &'static str,
    pub label: &'static str,
    /// Stock is held for the item while it is here (sales' own reservation and catalog's).
    pub reserved: bool,
    /// The shopper or an admin may still cancel it here.
    pub cancellable: bool,
}

/// How a transition is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// A person fires the event (Back Office, per item or per order).
    Manual,
    /// Taken as soon as the item enters the source state.
    Automatic,
    /// Taken when the item is still in the source state after this many seconds.
    Timeout(u32),
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    pub from: &'static str,
    pub to: &'static str,
    pub event: &'static str,
    pub trigger: Trigger,
    /// Taking it registers the item's payment (`pay`; cash on delivery's `deliver`).
    pub pays: bool,
}

/// A named order process: states in display order (also the order used to summarise an order's
/// items into one state) and its transitions.
#[derive(Debug, Clone, Serialize)]
pub struct Process {
    pub name: &'static str,
    pub initial: &'static str,
    pub states: Vec<State>,
    pub transitions: Vec<Transition>,
}

/// Why an event cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// Unpaid prepayment orders are cancelled after this long.
pub const PAYMENT_TIMEOUT: u32 = 7 * 86_400;
/// Delivered items are closed when the return window ends.
pub const RETURN_WINDOW: u32 = 30 * 86_400;

const fn state(
    name: &'static str,
    label: &'static str,
    reserved: bool,
    cancellable: bool,
) -> State {
    State {
        name,
        label,
        reserved,
        cancellable,
    }
}

const fn taken(
    from: &'static str,
    event: &'static str,
    to: &'static str,
    trigger: Trigger,
) -> Transition {
    Transition {
        from,
        to,
        event,
        trigger,
        pays: false,
    }
}

const fn manual(from: &'static str, event: &'static str, to: &'static str) -> Transition {
    taken(from, event, to, Trigger::Manual)
}

/// A manual transition that registers the payment.
const fn paying(from: &'static str, event: &'static str, to: &'static str) -> Transition {
    Transition {
        pays: true,
        ..manual(from, event, to)
    }
}

/// The states after the goods left, shared by every process: returned → refunded → closed.
fn after_return() -> Vec<State> {
    vec![
        state("returned", "Returned", false, false),
        state("refunded", "Refunded", false, false),
        state("cancelled", "Cancelled", false, false),
        state("closed", "Closed", false, false),
    ]
}

/// Return and refund, from the state in which returns are accepted (`from`).
fn returns(from: &'static str) -> [Transition; 4] {
    [
        manual(from, "return", "returned"),
        taken(
            from,
            "return-window-ended",
            "closed",
            Trigger::Timeout(RETURN_WINDOW),
        ),
        manual("returned", "refund", "refunded"),
        taken("refunded", "close-refunded", "closed", Trigger::Automatic),
    ]
}

/// Prepayment: the order waits in `payment_pending` until it is marked paid (cancelled after
/// [`PAYMENT_TIMEOUT`]); only then is it confirmed and shipped.
/// new → payment pending → paid → confirmed → shipped → delivered → closed.
pub fn prepayment() -> Process {
    let mut states = vec![
        state("new", "New", true, true),
        state("payment_pending", "Payment pending", true, true),
        state("paid", "Paid", true, true),
        state("confirmed", "Confirmed", true, true),
        state("shipped", "Shipped", true, false),
        state("delivered", "Delivered", true, false),
    ];
    states.extend(after_return());
    let mut transitions = vec![
        taken(
            "new",
            "request-payment",
            "payment_pending",
            Trigger::Automatic,
        ),
        paying("payment_pending", "pay", "paid"),
        manual("payment_pending", "cancel", "cancelled"),
        taken(
            "payment_pending",
            "payment-timeout",
            "cancelled",
            Trigger::Timeout(PAYMENT_TIMEOUT),
        ),
        manual("paid", "confirm", "confirmed"),
        manual("paid", "cancel", "cancelled"),
        manual("confirmed", "ship", "shipped"),
        manual("confirmed", "cancel", "cancelled"),
        manual("shipped", "deliver", "delivered"),
        manual("delivered", "close", "closed"),
    ];
    transitions.extend(returns("delivered"));
    Process {
        name: "prepayment",
        initial: "new",
        states,
        transitions,
    }
}

/// Invoice: confirmed at once and shipped with the invoice; paid after delivery.
/// new → confirmed → shipped → delivered → paid → closed.
pub fn invoice() -> Process {
    let mut states = vec![
        state("new", "New", true, true),
        state("confirmed", "Confirmed", true, true),
        state("shipped", "Shipped", true, false),
        state("delivered", "Delivered (invoice open)", true, false),
        state("paid", "Paid", true, false),
    ];
    states.extend(after_return());
    let mut transitions = vec![
        taken("new", "accept", "confirmed", Trigger::Automatic),
        manual("confirmed", "ship", "shipped"),
        manual("confirmed", "cancel", "cancelled"),
        manual("shipped", "deliver", "delivered"),
        paying("delivered", "pay", "paid"),
        manual("delivered", "return", "returned"),
        manual("paid", "close", "closed"),
    ];
    transitions.extend(returns("paid"));
    Process {
        name: "invoice",
        initial: "new",
        states,
        transitions,
    }
}

/// Cash on delivery: confirmed at once; the carrier collects the payment on delivery.
/// new → confirmed → shipped → delivered (paid) → closed.
pub fn cash_on_delivery() -> Process {
    let mut states = vec![
        state("new", "New", true, true),
        state("confirmed", "Confirmed", true, true),
        state("shipped", "Shipped", true, false),
        state("delivered", "Delivered and paid", true, false),
    ];
    states.extend(after_return());
    let mut transitions = vec![
        taken("new", "accept", "confirmed", Trigger::Automatic),
        manual("confirmed", "ship", "shipped"),
        manual("confirmed", "cancel", "cancelled"),
        paying("shipped", "deliver", "delivered"),
        manual("delivered", "close", "closed"),
    ];
    transitions.extend(returns("delivered"));
    Process {
        name: "cash_on_delivery",
        initial: "new",
        states,
        transitions,
    }
}

/// Every process, one per payment method (the matrix shows them in this order).
pub fn all() -> Vec<Process> {
    vec![prepayment(), invoice(), cash_on_delivery()]
}

/// The process called `name` (a payment method's code), if there is one.
pub fn process(name: &str) -> Option<Process> {
    all().into_iter().find(|p| p.name == name)
}

/// Every state of every process, each once, in process order (filters and widgets).
pub fn all_states() -> Vec<State> {
    let mut out: Vec<State> = Vec::new();
    for p in all() {
        for s in p.states {
            if !out.iter().any(|o| o.name == s.name) {
                out.push(s);
            }
        }
    }
    out
}

impl Process {
    pub fn state(&self, name: &str) -> Option<&State> {
        self.states.iter().find(|s| s.name == name)
    }

    fn position(&self, name: &str) -> usize {
        self.states
            .iter()
            .position(|s| s.name == name)
            .unwrap_or(usize::MAX)
    }

    /// The manual events possible in `state`, in process order.
    pub fn manual_events(&self, state: &str) -> Vec<&'static str> {
        self.transitions
            .iter()
            .filter(|t| t.from == state && t.trigger == Trigger::Manual)
            .map(|t| t.event)
            .collect()
    }

    /// Where the manual `event` takes an item in `state`, or why it cannot.
    pub fn manual(&self, state: &str, event: &str) -> Result<&Transition, Refusal> {
        self.transitions
            .iter()
            .find(|t| t.from == state && t.event == event && t.trigger == Trigger::Manual)
            .ok_or_else(|| {
                let possible = self.manual_events(state);
                Refusal(if possible.is_empty() {
                    format!("event \"{event}\" is not possible in state \"{state}\" (no manual event is)")
                } else {
                    format!(
                        "event \"{event}\" is not possible in state \"{state}\" (possible: {})",
                        possible.join(", ")
                    )
                })
            })
    }

    /// The transition taken automatically on entering `state`, if any.
    pub fn automatic(&self, state: &str) -> Option<&Transition> {
        self.transitions
            .iter()
            .find(|t| t.from == state && t.trigger == Trigger::Automatic)
    }

    /// The timeout transition armed on entering `state`, if any.
    pub fn timeout(&self, state: &str) -> Option<(&Transition, u32)> {
        self.transitions.iter().find_map(|t| match t.trigger {
            Trigger::Timeout(secs) if t.from == state => Some((t, secs)),
            _ => None,
        })
    }

    /// One state for a whole order: the earliest (in process order) of its items' states,
    /// ignoring cancelled items unless every item is cancelled.
    pub fn summary<'a>(&self, states: impl IntoIterator<Item = &'a str>) -> String {
        let states: Vec<&str> = states.into_iter().collect();
        let earliest = |live_only: bool| {
            states
                .iter()
                .filter(|s| !live_only || **s != "cancelled")
                .min_by_key(|s| self.position(s))
                .copied()
        };
        earliest(true)
            .or_else(|| earliest(false))
            .unwrap_or(self.initial)
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_joins_declared_states_and_the_happy_path_reaches_closed() {
        let p = prepayment();
        for t in &p.transitions {
            assert!(p.state(t.from).is_some(), "{t:?}");
            assert!(p.state(t.to).is_some(), "{t:?}");
        }
        let mut state = p.automatic(p.initial).unwrap().to;
        for event in ["pay", "confirm", "ship", "deliver", "close"] {
            state = p.manual(state, event).unwrap().to;
        }
        assert_eq!(state, "closed");
    }

    /// The events that take an item from the initial state to `closed` in `p`.
    fn walk(p: &Process, events: &[&str]) -> &'static str {
        let mut state = p.automatic(p.initial).unwrap().to;
        for event in events {
            state = p.manual(state, event).unwrap().to;
        }
        state
    }

    #[test]
    fn each_payment_method_has_its_own_path_to_closed() {
        for p in all() {
            for t in &p.transitions {
                assert!(
                    p.state(t.from).is_some() && p.state(t.to).is_some(),
                    "{t:?}"
                );
            }
        }
        let invoice = invoice();
        assert_eq!(invoice.automatic("new").unwrap().to, "confirmed");
        assert_eq!(
            walk(&invoice, &["ship", "deliver", "pay", "close"]),
            "closed"
        );
        assert!(
            invoice.manual("confirmed", "pay").is_err(),
            "paid after delivery"
        );
        let cod = cash_on_delivery();
        assert_eq!(walk(&cod, &["ship", "deliver", "close"]), "closed");
        assert!(cod.manual("shipped", "deliver").unwrap().pays);
        assert!(prepayment().manual("payment_pending", "pay").unwrap().pays);
        assert_eq!(
            process("cash_on_delivery").unwrap().name,
            "cash_on_delivery"
        );
        assert!(process("flat").is_none());
        let states: Vec<&str> = all_states().iter().map(|s| s.name).collect();
        assert_eq!(states.len(), 10, "{states:?}");
    }

    #[test]
    fn an_invalid_event_names_the_possible_ones() {
        let p = prepayment();
        let refusal = p.manual("shipped", "pay").unwrap_err();
        assert_eq!(
            refusal.0,
            "event \"pay\" is not possible in state \"shipped\" (possible: deliver)"
        );
        assert!(
            p.manual("closed", "cancel")
                .unwrap_err()
                .0
                .contains("no manual event")
        );
        assert_eq!(p.manual_events("paid"), ["confirm", "cancel"]);
    }

    #[test]
    fn timeouts_and_flags() {
        let p = prepayment();
        assert_eq!(p.timeout("payment_pending").unwrap().1, PAYMENT_TIMEOUT);
        assert!(p.timeout("paid").is_none());
        assert!(p.state("confirmed").unwrap().reserved);
        assert!(!p.state("cancelled").unwrap().reserved);
        assert!(!p.state("shipped").unwrap().cancellable);
    }

    #[test]
    fn an_order_summarises_to_its_least_advanced_live_item() {
        let p = prepayment();
        assert_eq!(p.summary(["shipped", "paid", "cancelled"]), "paid");
        assert_eq!(p.summary(["cancelled", "cancelled"]), "cancelled");
        assert_eq!(p.summary(["closed", "refunded"]), "refunded");
    }
}
