//! The media library over HTTP: uploads checked by content (each allowed type; a renamed text
//! file, an oversized file, a decompression bomb and a path-traversal name refused), the same
//! bytes stored once, originals and resized variants served with year-long cache headers, an
//! ETag and 304, alt texts per shop locale, CSRF and ACL on every admin route; with the
//! catalog: delete refused while a product uses a file, and a product's images in order on
//! the storefront.

use std::io::Cursor;

use backoffice::WebSettings;
use backoffice::media::MediaSettings;
use backoffice_tests::{Browser, Multipart, Reply, TestApp};
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};
use reqwest::Method;
use serde_json::{Value, json};

const UPLOAD: &str = "/admin/media/files/upload";

/// A `width` × `height` image with a gradient (so resizing has something to do), encoded as
/// `format`.
pub fn image_bytes(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let pixels = RgbaImage::from_fn(width, height, |x, y| {
        Rgba([(x * 255 / width) as u8, (y * 255 / height) as u8, 128, 255])
    });
    let image = match format {
        // JPEG has no alpha channel.
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(DynamicImage::ImageRgba8(pixels).to_rgb8()),
        _ => DynamicImage::ImageRgba8(pixels),
    };
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, format)
        .expect("encoding a fixture");
    out.into_inner()
}

/// Uploads one file as the media page's form does (CSRF token in the action URL), sending
/// `content_type` as the part's type (which the host must ignore).
pub async fn upload_as(admin: &Browser, filename: &str, content_type: &str, bytes: &[u8]) -> Reply {
    let form = Multipart::new().file("file", filename, content_type, bytes);
    let url = format!("{UPLOAD}?_csrf={}", admin.csrf());
    admin.post_multipart(&url, form, "application/json").await
}

/// Uploads an image and answers its described file (id, URLs, variants).
pub async fn upload(admin: &Browser, filename: &str, bytes: &[u8]) -> Value {
    let reply = upload_as(admin, filename, "application/octet-stream", bytes).await;
    assert_eq!(reply.status, 200, "{filename}: {}", reply.body);
    reply.json()["file"].clone()
}

/// GET `path` for its raw bytes, with extra request headers.
async fn fetch(
    browser: &Browser,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = browser.request(Method::GET, path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("fetching");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("reading").to_vec();
    (status, headers, bytes)
}

fn header<'h>(headers: &'h reqwest::header::HeaderMap, name: &str) -> &'h str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn each_allowed_type_is_stored_with_the_type_its_content_has() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let cases = [
        (ImageFormat::Jpeg, "image/jpeg"),
        (ImageFormat::Png, "image/png"),
        (ImageFormat::WebP, "image/webp"),
        (ImageFormat::Gif, "image/gif"),
    ];
    for (format, content_type) in cases {
        let bytes = image_bytes(40, 30, format);
        // The name and the part's type say otherwise: only the content counts.
        let reply = upload_as(&admin, "picture.bin", "text/plain", &bytes).await;
        assert_eq!(reply.status, 200, "{content_type}: {}", reply.body);
        let file = &reply.json()["file"];
        assert_eq!(file["content_type"], content_type);
        assert_eq!(
            (file["width"].as_u64(), file["height"].as_u64()),
            (Some(40), Some(30))
        );
        assert_eq!(file["bytes"], bytes.len());
        let url = file["url"].as_str().unwrap();
        let (status, headers, body) = fetch(&admin, url, &[]).await;
        assert_eq!(status, 200, "{url}");
        assert_eq!(header(&headers, "content-type"), content_type);
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert_eq!(body, bytes, "the original is served as uploaded");
    }
    assert_eq!(app.count("media_files").await, 4);
    assert_eq!(app.audit_of("media.uploaded").await.len(), 4);
}

#[tokio::test]
async fn a_renamed_text_file_is_refused() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let reply = upload_as(
        &admin,
        "photo.png",
        "image/png",
        b"just some text, named .png",
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("not a JPEG, PNG, WebP or GIF")
    );
    // A PNG signature in front of garbage passes the magic bytes, not the decode.
    let mut fake = b"\x89PNG\r\n\x1a\n".to_vec();
    fake.extend_from_slice(&[7; 100]);
    let reply = upload_as(&admin, "fake.png", "image/png", &fake).await;
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(app.count("media_files").await, 0);
    assert_eq!(app.count("media_blobs").await, 0);
}

#[tokio::test]
async fn an_oversized_file_is_refused() {
    let settings = WebSettings {
        media: MediaSettings {
            max_upload: 64 * 1024,
        },
        ..WebSettings::default()
    };
    let app = TestApp::start_with(settings).await;
    let admin = app.admin().await;
    let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
    big.resize(64 * 1024 + 1, 0);
    let reply = upload_as(&admin, "big.png", "image/png", &big).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    assert!(
        reply.json()["error"]
            .as_str()
            .unwrap()
            .contains("larger than")
    );
    // Far over the cap: the body limit stops it before it is read whole.
    let huge = vec![0u8; 3 << 20];
    let reply = upload_as(&admin, "huge.png", "image/png", &huge).await;
    assert_eq!(reply.status, 413, "{}", reply.body);
    // At the cap is fine.
    let ok = image_bytes(10, 10, ImageFormat::Png);
    assert_eq!(
        upload_as(&admin, "ok.png", "image/png", &ok).await.status,
        200
    );
    assert_eq!(app.count("media_files").await, 1);
}

/// The CRC-32 of PNG chunks (ISO 3309), bit by bit: fixtures only.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
    out
}

/// A valid PNG header declaring `width` × `height` (8-bit greyscale) with a token of data: a
/// few hundred bytes that would decode to gigabytes.
fn bomb(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    // zlib stream of a few zero bytes (stored block).
    png.extend(chunk(
        b"IDAT",
        &[
            0x78, 0x01, 0x01, 0x04, 0x00, 0xFB, 0xFF, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x01,
        ],
    ));
    png.extend(chunk(b"IEND", &[]));
    png
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_before_decoding() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    for (width, height) in [(60_000, 60_000), (10_000, 10_000), (40_000, 10)] {
        let reply = upload_as(&admin, "bomb.png", "image/png", &bomb(width, height)).await;
        assert_eq!(reply.status, 422, "{width}×{height}: {}", reply.body);
        let error = reply.json()["error"].as_str().unwrap().to_owned();
        assert!(
            error.contains(&format!("{width} × {height} pixels")),
            "{error}"
        );
    }
    assert_eq!(app.count("media_files").await, 0);
}

#[tokio::test]
async fn a_path_traversal_name_is_refused_and_never_a_path() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let bytes = image_bytes(20, 20, ImageFormat::Png);
    for name in ["../../x.png", "..\\..\\x.png", "/etc/x.png", ".hidden.png"] {
        let reply = upload_as(&admin, name, "image/png", &bytes).await;
        assert_eq!(reply.status, 422, "{name}: {}", reply.body);
        assert!(
            reply.json()["error"]
                .as_str()
                .unwrap()
                .contains("not a plain file name")
        );
    }
    assert_eq!(app.count("media_files").await, 0);
    // A plain name with odd characters is kept for display; its URL segment is plain ASCII.
    let file = upload(&admin, "Grüne Schuhe (1).png", &bytes).await;
    assert_eq!(file["name"], "Grüne Schuhe (1).png");
    let url = file["url"].as_str().unwrap();
    assert!(url.ends_with("/Gr-ne-Schuhe-1-.png"), "{url}");
}

#[tokio::test]
async fn the_same_file_twice_is_stored_once() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let bytes = image_bytes(50, 50, ImageFormat::Png);
    let first = upload_as(&admin, "one.png", "image/png", &bytes)
        .await
        .json();
    assert_eq!(first["existing"], false);
    let second = upload_as(&admin, "two.png", "image/png", &bytes).await;
    assert_eq!(second.status, 200);
    let second = second.json();
    assert_eq!(second["existing"], true);
    assert_eq!(second["file"]["id"], first["file"]["id"]);
    assert_eq!(
        second["file"]["name"], "one.png",
        "the existing file answers"
    );
    assert!(
        second["message"]
            .as_str()
            .unwrap()
            .contains("already in the library")
    );
    assert_eq!(app.count("media_files").await, 1);
    assert_eq!(app.count("media_blobs").await, 1);
    let hash = first["file"]["hash"].as_str().unwrap();
    assert_eq!(hash.len(), 64, "SHA-256 in hex");
}

#[tokio::test]
async fn variants_are_resized_once_and_served_with_cache_headers_and_304() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let file = upload(&admin, "wide.png", &image_bytes(800, 400, ImageFormat::Png)).await;
    let variants = file["variants"].as_array().unwrap();
    let sizes: Vec<(&str, u64, u64)> = variants
        .iter()
        .map(|v| {
            (
                v["name"].as_str().unwrap(),
                v["width"].as_u64().unwrap(),
                v["height"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sizes,
        [
            ("thumb", 200, 100),
            ("medium", 600, 300),
            ("large", 800, 400)
        ],
        "longest side, never upscaled"
    );
    let anonymous = app.browser();
    for v in variants {
        for (key, content_type, format) in [
            ("url", "image/png", ImageFormat::Png),
            ("webp_url", "image/webp", ImageFormat::WebP),
        ] {
            let url = v[key].as_str().unwrap();
            let (status, headers, body) = fetch(&anonymous, url, &[]).await;
            assert_eq!(status, 200, "{url}");
            assert_eq!(header(&headers, "content-type"), content_type);
            assert_eq!(
                header(&headers, "cache-control"),
                "public, max-age=31536000, immutable"
            );
            assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
            let decoded = image::load_from_memory_with_format(&body, format).expect("a real image");
            assert_eq!(
                u64::from(decoded.width()),
                v["width"].as_u64().unwrap(),
                "{url}"
            );
            assert_eq!(
                u64::from(decoded.height()),
                v["height"].as_u64().unwrap(),
                "{url}"
            );
            let etag = header(&headers, "etag").to_owned();
            assert!(etag.starts_with('"'), "a strong ETag: {etag}");
            let (status, again, body) = fetch(&anonymous, url, &[("if-none-match", &etag)]).await;
            assert_eq!(status, 304, "{url}");
            assert!(body.is_empty());
            assert_eq!(header(&again, "etag"), etag);
            assert_eq!(
                header(&again, "cache-control"),
                "public, max-age=31536000, immutable"
            );
        }
    }
    // Made once: the original plus six variants, whatever the number of requests.
    assert_eq!(app.count("media_blobs").await, 7);
    let (status, headers, _) = fetch(&anonymous, file["url"].as_str().unwrap(), &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        header(&headers, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    // Another file's hash, an unknown size or format: not found.
    let url = variants[0]["url"].as_str().unwrap();
    let wrong_hash = url.replacen(&file["hash"].as_str().unwrap()[..16], "0000000000000000", 1);
    let bad_size = url.replacen("/thumb/", "/huge/", 1);
    let bad_format = url.replacen(".png", ".jpg", 1);
    for path in [wrong_hash, bad_size, bad_format] {
        assert_eq!(fetch(&anonymous, &path, &[]).await.0, 404, "{path}");
    }
}

#[tokio::test]
async fn a_gif_variant_is_its_first_frame_as_png() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let file = upload(&admin, "anim.gif", &image_bytes(300, 300, ImageFormat::Gif)).await;
    let thumb = file["variants"][0]["url"].as_str().unwrap();
    assert!(thumb.ends_with(".png"), "{thumb}");
    let (status, headers, body) = fetch(&admin, thumb, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), "image/png");
    let decoded = image::load_from_memory_with_format(&body, ImageFormat::Png).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (200, 200));
}

#[tokio::test]
async fn alt_texts_are_kept_per_shop_locale() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let file = upload(&admin, "shoe.png", &image_bytes(20, 20, ImageFormat::Png)).await;
    let id = file["id"].as_i64().unwrap();
    let reply = admin
        .submit_json(
            "/admin/media/files/edit",
            &json!({"id": id, "alt": {"de_DE": "Roter Schuh", "en_US": "Red shoe"}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.json()["file"]["alt"],
        json!({"de_DE": "Roter Schuh", "en_US": "Red shoe"})
    );
    // The HTML form's fields: `alt.<locale>`; an emptied one is dropped.
    let reply = admin
        .submit(
            "/admin/media/files/edit",
            &[
                ("id", &id.to_string()),
                ("alt.de_DE", ""),
                ("alt.en_US", "A red shoe"),
            ],
        )
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    let page = admin
        .get_json(&format!("/admin/media/files/edit?id={id}"))
        .await
        .json();
    assert_eq!(page["file"]["alt"], json!({"en_US": "A red shoe"}));
    assert!(
        page["locales"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["code"] == "de_DE")
    );
    let html = admin.get(&format!("/admin/media/files/edit?id={id}")).await;
    assert_eq!(html.status, 200, "{}", html.body);
    let html = html.text();
    assert!(
        html.contains("name=\"alt.en_US\" value=\"A red shoe\""),
        "{html}"
    );
    assert!(html.contains("No section uses this image."));
    let reply = admin
        .submit_json(
            "/admin/media/files/edit",
            &json!({"id": id, "alt": {"xx_XX": "?"}}),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.json()["error"].as_str().unwrap().contains("xx_XX"));
    // Listed and found by name.
    let list = admin
        .get_json("/admin/media/files/index?q=SHO")
        .await
        .json();
    assert_eq!(list["files"].as_array().unwrap().len(), 1);
    let none = admin
        .get_json("/admin/media/files/index?q=boot")
        .await
        .json();
    assert_eq!(none["files"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn uploads_need_the_csrf_token_and_every_admin_route_the_acl() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let bytes = image_bytes(20, 20, ImageFormat::Png);
    let form = Multipart::new().file("file", "a.png", "image/png", &bytes);
    let reply = admin.post_multipart(UPLOAD, form, "application/json").await;
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(app.count("media_files").await, 0);
    let id = upload(&admin, "a.png", &bytes).await["id"]
        .as_i64()
        .unwrap();

    let password = "clerk-password-0001";
    app.user_with_rules(
        "clerk@example.com",
        password,
        &[("acl", "users", "index", "allow")],
    )
    .await;
    let clerk = app.signed_in("clerk@example.com", password).await;
    for path in [
        "/admin/media/files/index",
        &format!("/admin/media/files/edit?id={id}"),
    ] {
        assert_eq!(clerk.get_json(path).await.status, 403, "{path}");
    }
    assert_eq!(
        upload_as(&clerk, "b.png", "image/png", &bytes).await.status,
        403
    );
    let reply = clerk
        .submit_json("/admin/media/files/delete", &json!({"id": id}))
        .await;
    assert_eq!(reply.status, 403);
    assert_eq!(app.count("media_files").await, 1);
    // Anonymous visitors see the files (the storefront shows them), not the page.
    let anonymous = app.browser();
    assert_eq!(
        anonymous.get_json("/admin/media/files/index").await.status,
        401
    );
}

#[tokio::test]
async fn the_media_page_is_in_the_navigation_and_shows_thumbnails() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let file = upload(&admin, "nav.png", &image_bytes(20, 20, ImageFormat::Png)).await;
    let page = admin.get("/admin/media/files/index").await;
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("href=\"/admin/media/files/index\""),
        "in the menu"
    );
    assert!(
        html.contains(file["variants"][0]["url"].as_str().unwrap()),
        "thumbnail"
    );
    assert!(html.contains("<script src=\"/assets/media.js\" nonce=\""));
    let (status, headers, script) = fetch(&admin, "/assets/media.js", &[]).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").starts_with("text/javascript"));
    assert!(String::from_utf8(script).unwrap().contains("upload"));
}

#[tokio::test]
async fn a_deleted_file_and_its_variants_are_gone() {
    let app = TestApp::start().await;
    let admin = app.admin().await;
    let file = upload(&admin, "gone.png", &image_bytes(300, 300, ImageFormat::Png)).await;
    let thumb = file["variants"][0]["url"].as_str().unwrap();
    assert_eq!(fetch(&admin, thumb, &[]).await.0, 200);
    let reply = admin
        .submit_json("/admin/media/files/delete", &json!({"id": file["id"]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(fetch(&admin, thumb, &[]).await.0, 404);
    assert_eq!(app.count("media_blobs").await, 0);
}

/// An active product in store DE; its create answer.
async fn product(admin: &Browser, sku: &str, name: &str, category: Option<&str>) -> Value {
    let mut body = json!({"sku": sku, "names": {"en": name}, "price": 1000, "status": "active"});
    if let Some(category) = category {
        body["category_ids"] = json!([category]);
    }
    let reply = admin
        .submit_json("/admin/catalog/products/create", &body)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()["product"].clone()
}

async fn set_images(admin: &Browser, path: &str, id: &Value, ids: &[&Value]) -> Reply {
    admin
        .submit_json(path, &json!({"id": id, "image_ids": ids}))
        .await
}

#[tokio::test]
async fn delete_is_refused_while_a_product_uses_the_file() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let file = upload(&admin, "shoe.png", &image_bytes(300, 200, ImageFormat::Png)).await;
    let shoe = product(&admin, "SHOE", "Shoe", None).await;
    let reply = set_images(
        &admin,
        "/admin/catalog/products/images",
        &shoe["id"],
        &[&file["id"]],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    let reply = admin
        .submit_json("/admin/media/files/delete", &json!({"id": file["id"]}))
        .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    let error = reply.json()["error"].as_str().unwrap().to_owned();
    assert!(error.contains("catalog: product SHOE"), "{error}");
    assert_eq!(app.count("media_files").await, 1);
    // The file's page lists the use, with a link to the product.
    let page = admin
        .get_json(&format!("/admin/media/files/edit?id={}", file["id"]))
        .await
        .json();
    assert_eq!(page["uses"][0]["plugin"], "catalog");
    assert_eq!(page["uses"][0]["uses"][0]["label"], "product SHOE");
    assert!(
        page["uses"][0]["uses"][0]["href"]
            .as_str()
            .unwrap()
            .contains("products/show")
    );
    // A variant's use counts too: free the product, give the image to its variant.
    let variant = admin
        .submit_json(
            "/admin/catalog/variants/create",
            &json!({"product_id": shoe["id"], "sku": "SHOE-42", "names": {"en": "Shoe 42"}}),
        )
        .await;
    assert_eq!(variant.status, 200, "{}", variant.body);
    let variant = variant.json()["variant"]["id"].clone();
    set_images(&admin, "/admin/catalog/products/images", &shoe["id"], &[]).await;
    let reply = set_images(
        &admin,
        "/admin/catalog/variants/images",
        &variant,
        &[&file["id"]],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let reply = admin
        .submit_json("/admin/media/files/delete", &json!({"id": file["id"]}))
        .await;
    assert_eq!(reply.status, 409, "{}", reply.body);
    // Unused: deleted.
    set_images(&admin, "/admin/catalog/variants/images", &variant, &[]).await;
    let reply = admin
        .submit_json("/admin/media/files/delete", &json!({"id": file["id"]}))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(app.count("media_files").await, 0);
    // An id the library does not have is refused.
    let reply = set_images(
        &admin,
        "/admin/catalog/products/images",
        &shoe["id"],
        &[&file["id"]],
    )
    .await;
    assert_eq!(reply.status, 422, "{}", reply.body);
}

#[tokio::test]
async fn a_product_with_two_images_shows_them_in_order_on_the_storefront() {
    let app = TestApp::with_plugins(&["catalog"]).await;
    let admin = app.admin().await;
    let front = upload(
        &admin,
        "front.png",
        &image_bytes(900, 600, ImageFormat::Png),
    )
    .await;
    let back = upload(
        &admin,
        "back.jpg",
        &image_bytes(600, 900, ImageFormat::Jpeg),
    )
    .await;
    let reply = admin
        .submit_json(
            "/admin/media/files/edit",
            &json!({"id": back["id"], "alt": {"en_US": "The back"}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let category = admin
        .submit_json(
            "/admin/catalog/categories/create",
            &json!({"name": "Shoes", "slug": "shoes"}),
        )
        .await
        .json()["category"]["id"]
        .clone();
    let shoe = product(&admin, "SHOE", "Red shoe", category.as_str()).await;
    // Back first, then front: the order given is the order shown.
    let reply = set_images(
        &admin,
        "/admin/catalog/products/images",
        &shoe["id"],
        &[&back["id"], &front["id"]],
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["image_ids"], json!([back["id"], front["id"]]));

    let shopper = app.browser();
    let slug = shoe["slug"].as_str().unwrap();
    let page = shopper.get(&format!("/p/{slug}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let html = page.text();
    let at = |file: &Value| {
        let url = file["variants"][1]["url"].as_str().unwrap();
        html.find(url)
            .unwrap_or_else(|| panic!("{url} not on the product page"))
    };
    assert!(at(&back) < at(&front), "in the order set");
    assert!(
        html.contains("alt=\"The back\""),
        "the alt text of the shop's locale"
    );
    // The images load: the medium variant of each is served.
    for file in [&back, &front] {
        let url = file["variants"][1]["url"].as_str().unwrap();
        assert_eq!(fetch(&shopper, url, &[]).await.0, 200, "{url}");
    }
    let json = shopper.get_json(&format!("/p/{slug}")).await.json();
    let ids: Vec<&Value> = json["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(ids, [&back["id"], &front["id"]]);
    // The category page shows the first image's thumbnail.
    let listing = shopper.get("/c/shoes").await.text();
    assert!(
        listing.contains(back["variants"][0]["url"].as_str().unwrap()),
        "{listing}"
    );
}
