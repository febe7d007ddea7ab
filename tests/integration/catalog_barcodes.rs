//! Catalog barcodes: `barcodes/show?sku=` answers the SKU's Code 128 symbol as SVG (the
//! encoding itself is unit-tested in `plugins/catalog/src/barcode.rs`).

use backoffice_tests::TestApp;

#[tokio::test]
async fn a_sku_is_drawn_as_a_code128_svg() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let reply = admin.get("/admin/catalog/barcodes/show?sku=AB").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "image/svg+xml");
    let svg = &reply.body;
    // 10 quiet + Start B, A, B, checksum (11 each) + Stop (13) + 10 quiet = 77 modules wide.
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.contains("viewBox=\"0 0 77 62\""), "{svg}");
    // Start B (211214) begins with a 2-module bar right after the quiet zone.
    assert!(
        svg.contains("<g fill=\"#000\"><rect x=\"10\" y=\"0\" width=\"2\""),
        "{svg}"
    );
    assert!(svg.contains(">AB</text>"));

    let bad = admin
        .get_json("/admin/catalog/barcodes/show?sku=a%20b")
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.json()["error"],
        "sku must be 1 to 64 characters: letters, digits, '.', '_' or '-'"
    );
    let missing = admin.get_json("/admin/catalog/barcodes/show").await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["error"], "sku is required");
}
