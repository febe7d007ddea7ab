//! The grammar table (valid and invalid queries, with the position of the error), the
//! evaluation table, and the parser's fuzz target:
//! `cargo test -p discounts fuzz_` (longer: `PROPTEST_CASES=200000 cargo test -p discounts --release fuzz_`).

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::eval::calendar;
use super::*;

use Kind::{Collector as C, Decision as D};

/// (query, kind, None when valid or Some(position of the error)).
const GRAMMAR: &[(&str, Kind, Option<usize>)] = &[
    ("sku = 'ABC'", D, None),
    ("sku = \"ABC\"", D, None),
    ("SKU = 'abc'", D, None),
    ("sku != 'ABC'", D, None),
    ("sku contains 'AB'", D, None),
    ("sku does not contain 'AB'", D, None),
    ("sku DOES NOT CONTAIN 'AB'", D, None),
    ("sku is in 'A;B;C'", D, None),
    ("sku is not in 'A; B'", D, None),
    ("sku = '*'", C, None),
    ("sub-total >= '100.00'", D, None),
    ("sub-total > '12.5'", D, None),
    ("sub-total < '12'", D, None),
    ("grand-total <= '99.99'", D, None),
    ("total-quantity >= '3'", D, None),
    ("item-quantity > '1'", C, None),
    ("item-price >= '10.00'", C, None),
    ("calendar-week = '52'", D, None),
    ("day-of-week is in '6;7'", D, None),
    ("month != '12'", D, None),
    ("time >= '08:00' and time < '12:30'", D, None),
    ("currency = 'EUR'", D, None),
    ("price-mode = 'GROSS_MODE'", D, None),
    ("customer-group = 'vip'", D, None),
    ("customer-reference = 'DE--1'", D, None),
    ("customer-order-count = '0'", D, None),
    ("attribute.color = 'red'", C, None),
    ("attribute.Brand_Name contains 'acme'", D, None),
    ("category is in 'shoes;bags'", C, None),
    ("product-label = 'new'", C, None),
    ("shipment-carrier = 'DHL'", D, None),
    ("shipment-method = 'express'", D, None),
    ("shipment-price = '0'", D, None),
    ("sku = 'A' and sku = 'B'", D, None),
    ("sku = 'A' or sku = 'B' and currency = 'EUR'", D, None),
    ("(sku = 'A' or sku = 'B') and currency = 'EUR'", D, None),
    ("((sku = 'A'))", C, None),
    ("sku = 'it\\'s'", C, None),
    ("sku = ''", C, None),
    ("  sku='A'  ", C, None),
    ("sku = 'A' AND sku = 'B' OR sku = 'C'", C, None),
    ("sku is in '*'", C, None),
    // Invalid, with the position of the problem.
    ("", D, Some(0)),
    ("   ", D, Some(0)),
    ("sku", D, Some(3)),
    ("sku =", D, Some(5)),
    ("sku = ABC", D, Some(6)),
    ("sku = 'ABC", D, Some(6)),
    ("sku == 'A'", D, Some(5)),
    ("sku ! 'A'", D, Some(4)),
    ("sku < 'A'", D, Some(4)),
    ("sku >= '10'", D, Some(4)),
    ("colour = 'red'", D, Some(0)),
    ("sku = 'A' and colour = 'red'", D, Some(14)),
    ("sub-total = 'A'", C, Some(0)),
    ("currency = 'EUR'", C, Some(0)),
    ("sub-total > 'ten'", D, Some(12)),
    ("sub-total > '1.234'", D, Some(12)),
    ("sub-total > '-5'", D, Some(12)),
    ("sub-total contains '5'", D, Some(10)),
    ("item-quantity does not contain '5'", C, Some(14)),
    ("time = '25:00'", D, Some(7)),
    ("time = '8'", D, Some(7)),
    ("month = '1.5'", D, Some(8)),
    ("sku is 'A'", D, Some(7)),
    ("sku is not 'A'", D, Some(11)),
    ("sku does contain 'A'", D, Some(9)),
    ("sku is in 'A;;B'", D, Some(10)),
    ("sku is in ''", D, Some(10)),
    ("sku = 'A' sku = 'B'", D, Some(10)),
    ("sku = 'A' and", D, Some(13)),
    ("sku = 'A' or or sku = 'B'", D, Some(13)),
    ("and sku = 'A'", D, Some(0)),
    ("(sku = 'A'", D, Some(10)),
    ("sku = 'A')", D, Some(9)),
    ("()", D, Some(1)),
    ("(sku = 'A' sku = 'B')", D, Some(11)),
    ("sku = 'A' & sku = 'B'", D, Some(10)),
    ("attribute. = 'x'", D, Some(0)),
    ("attribute.co lor = 'x'", D, Some(13)),
    ("'A' = sku", D, Some(0)),
    ("= 'A'", D, Some(0)),
    ("day-of-week is in '1;x'", D, Some(18)),
    (
        "sku = 'A' and (sku = 'B' or (currency = 'EUR')",
        D,
        Some(46),
    ),
];

#[test]
fn the_grammar_table_holds() {
    assert!(GRAMMAR.len() >= 60, "{} cases", GRAMMAR.len());
    for (query, kind, expected) in GRAMMAR {
        let got = parse(query, *kind).map(|_| ()).map_err(|e| e.position);
        match expected {
            None => assert!(got.is_ok(), "{query:?} should be valid: {got:?}"),
            Some(p) => assert_eq!(got, Err(*p), "{query:?}: {:?}", parse(query, *kind)),
        }
    }
}

#[test]
fn limits_are_refused_with_a_position() {
    let deep = format!("{}sku = 'A'{}", "(".repeat(17), ")".repeat(17));
    assert_eq!(parse(&deep, D).unwrap_err().position, 16);
    let many = vec!["sku = 'A'"; MAX_CLAUSES + 1].join(" or ");
    assert_eq!(
        parse(&many, D).unwrap_err().position,
        MAX_CLAUSES * "sku = 'A' or ".len()
    );
    let long = format!("sku = '{}'", "x".repeat(MAX_LEN));
    assert_eq!(parse(&long, D).unwrap_err().position, MAX_LEN);
    let list = format!("sku is in '{}'", vec!["a"; MAX_LIST + 1].join(";"));
    assert_eq!(parse(&list, D).unwrap_err().position, 10);
}

#[test]
fn messages_say_what_is_wrong() {
    let e = parse("colour = 'red'", C).unwrap_err();
    assert!(
        e.message
            .starts_with("unknown field `colour` (a collector query may use: sku,")
    );
    let e = parse("sub-total > 'ten'", D).unwrap_err();
    assert_eq!(
        e.message,
        "`ten` is not an amount (major units, at most 2 decimals: 12.50)"
    );
}

fn item(sku: &str, quantity: i64, price: i64) -> Item {
    Item {
        sku: sku.into(),
        quantity,
        unit_price: price,
        categories: vec!["Shoes".into(), "Sale".into()],
        labels: vec!["New".into()],
        attributes: BTreeMap::from([("color".into(), "Red".into())]),
    }
}

/// 2026-12-07 (a Monday, ISO week 50) at 09:30 UTC.
const MONDAY: i64 = 1_796_635_800;

fn cart() -> Cart {
    Cart {
        lines: vec![item("SHOE-1", 2, 2500), item("BAG-1", 1, 1000)],
        subtotal: 6000,
        currency: "EUR".into(),
        price_mode: "gross".into(),
        store: "DE".into(),
        customer_reference: "C-1".into(),
        customer_group: "VIP".into(),
        customer_order_count: 3,
        shipment_carrier: "DHL".into(),
        shipment_method: "express".into(),
        shipment_price: Some(495),
        now: MONDAY,
    }
}

/// Decision rules against [`cart`].
const DECISIONS: &[(&str, bool)] = &[
    ("sku = 'shoe-1'", true),
    ("sku = 'SHOE-2'", false),
    ("sku != 'SHOE-1'", true),
    ("sku contains 'bag'", true),
    ("sku does not contain 'x'", true),
    ("sku is in 'X;BAG-1'", true),
    ("sub-total >= '60.00'", true),
    ("sub-total > '60'", false),
    ("grand-total = '64.95'", true),
    ("total-quantity = '3'", true),
    ("item-quantity >= '2'", true),
    ("item-price < '10'", false),
    ("calendar-week = '50'", true),
    ("day-of-week = '1'", true),
    ("month = '12'", true),
    ("time >= '09:30' and time < '10:00'", true),
    ("currency = 'eur'", true),
    ("price-mode = 'net'", false),
    ("customer-group = 'vip'", true),
    ("customer-reference is not in 'C-2;C-3'", true),
    ("customer-order-count > '2'", true),
    ("attribute.color = 'red'", true),
    ("attribute.size = '*'", false),
    ("attribute.size != '*'", true),
    ("category = 'sale'", true),
    ("product-label is in 'new;hot'", true),
    ("shipment-carrier = 'dhl'", true),
    ("shipment-method = 'standard'", false),
    ("shipment-price <= '4.95'", true),
    ("sku = 'X' or sku = 'BAG-1' and currency = 'USD'", false),
    ("sku = 'X' or (sku = 'BAG-1' and currency = 'EUR')", true),
    ("sku = '*'", true),
];

#[test]
fn the_evaluation_table_holds() {
    let cart = cart().lowered();
    for (query, expected) in DECISIONS {
        let expr = parse(query, D).unwrap();
        let mut budget = Budget::new(1000);
        assert_eq!(
            expr.matches(Scope::Cart(&cart), &mut budget),
            *expected,
            "{query}"
        );
    }
    let collect = |q: &str| -> Vec<String> {
        let expr = parse(q, C).unwrap();
        cart.lines
            .iter()
            .filter(|i| expr.matches(Scope::Item(&cart, i), &mut Budget::new(1000)))
            .map(|i| i.sku.clone())
            .collect()
    };
    assert_eq!(collect("sku = '*'"), ["shoe-1", "bag-1"]);
    assert_eq!(collect("item-price >= '20'"), ["shoe-1"]);
    assert_eq!(
        collect("sku contains 'bag' or item-quantity = '2'").len(),
        2
    );
}

#[test]
fn a_spent_budget_matches_nothing() {
    let cart = cart().lowered();
    let expr = parse("sku = 'x' or sku = 'x' or sku = 'bag-1'", D).unwrap();
    assert!(expr.matches(Scope::Cart(&cart), &mut Budget::new(6)));
    assert!(!expr.matches(Scope::Cart(&cart), &mut Budget::new(5)));
}

#[test]
fn calendar_fields_follow_iso_weeks() {
    let c = calendar(MONDAY);
    assert_eq!(
        (c.week, c.weekday, c.month, c.minute_of_day),
        (50, 1, 12, 570)
    );
    // 2027-01-01 is a Friday in ISO week 53 of 2026.
    let c = calendar(1_798_761_600);
    assert_eq!((c.week, c.weekday, c.month), (53, 5, 1));
}

/// Pieces a query is made of, so the fuzz target reaches past the lexer.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("sku".to_owned()),
        Just("sub-total".to_owned()),
        Just("attribute.x".to_owned()),
        Just("time".to_owned()),
        Just("=".to_owned()),
        Just("<=".to_owned()),
        Just("is not in".to_owned()),
        Just("does not contain".to_owned()),
        Just("and".to_owned()),
        Just("or".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("'12.50'".to_owned()),
        Just("'a;b'".to_owned()),
        Just("'*'".to_owned()),
        Just("'".to_owned()),
        "\\PC{0,6}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_the_parser_never_panics(pieces in proptest::collection::vec(piece(), 0..24), raw in "\\PC{0,64}") {
        let cart = cart().lowered();
        for query in [pieces.join(" "), raw] {
            for kind in [D, C] {
                match parse(&query, kind) {
                    Ok(expr) => {
                        let mut budget = Budget::new(500);
                        expr.matches(Scope::Cart(&cart), &mut budget);
                    }
                    Err(e) => prop_assert!(e.position <= query.chars().count()),
                }
            }
        }
    }
}
