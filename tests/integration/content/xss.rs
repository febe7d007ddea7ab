//! Rich text never carries script to the storefront: a corpus of filter-evasion payloads (after
//! OWASP's XSS filter evasion cheat sheet, plus mutation-XSS and scheme tricks) saved into a
//! page's placeholder and a block, each checked in the rendered storefront HTML. The checker
//! reads every tag of the rendered fragment: only inert elements, no event handler or `style`
//! attribute, and no link or source whose scheme (entities and blanks removed) is
//! `javascript:`, `vbscript:` or `data:`.

use backoffice_tests::TestApp;
use serde_json::json;

use super::{ok, page, published};

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://xss.example/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.example/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.example/xss.js?< B >",
    "<iframe src=http://xss.example/scriptlet.html <",
    "</TITLE><SCRIPT>alert(\"XSS\");</SCRIPT>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<svg/onload=alert('XSS')>",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.example/scriptlet.html\"></OBJECT>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+\" type=\"image/svg+xml\">",
    "<a href=\"&#1;javascript:alert(1)\">x</a>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<form><button formaction=javascript:alert(1)>X</button></form>",
    "<a href=\"jAvAsCrIpT&colon;alert(1)\">x</a>",
    "<base href=\"javascript:alert(1)//\">",
    "<details open ontoggle=alert(1)>",
    "<p style=\"x:expression(alert(1))\">IE</p>",
    "<a href=\"vbscript:msgbox(1)\">vb</a>",
    "{{ content_item(\"x\") }}<script>alert(1)</script>",
];

/// Elements the rendered rich text may contain (the sanitizer's allow-list and the section's
/// own templates).
const INERT: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "area",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "map",
    "mark",
    "nav",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "rtc",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Attribute values that are addresses.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "background",
    "cite",
    "data",
    "poster",
    "lowsrc",
    "dynsrc",
];

/// `value` as a browser would read its scheme: entities decoded, blanks and controls dropped,
/// lower case.
fn scheme_text(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp + 1..];
        let end = tail.find(';').unwrap_or(tail.len());
        let entity = &tail[..end];
        let decoded = if let Some(hex) = entity
            .strip_prefix('#')
            .and_then(|e| e.strip_prefix(['x', 'X']))
        {
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        } else if let Some(dec) = entity.strip_prefix('#') {
            dec.parse().ok().and_then(char::from_u32)
        } else {
            match entity {
                "colon" => Some(':'),
                "tab" => Some('\t'),
                "newline" => Some('\n'),
                "amp" => Some('&'),
                "quot" => Some('"'),
                _ => None,
            }
        };
        match decoded {
            Some(c) => out.push(c),
            None => out.push('&'),
        }
        rest = if decoded.is_some() {
            &tail[(end + 1).min(tail.len())..]
        } else {
            tail
        };
    }
    out.push_str(rest);
    out.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// Every start tag of `html`: its name and attributes (name, value).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(open) = html[i..].find('<') {
        let start = i + open + 1;
        if !bytes.get(start).is_some_and(u8::is_ascii_alphabetic) {
            i = start;
            continue;
        }
        let mut j = start;
        let mut quote = None;
        while j < bytes.len() {
            let c = bytes[j];
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) => {}
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if c == b'>' => break,
                None => {}
            }
            j += 1;
        }
        found.push(parse_tag(&html[start..j.min(bytes.len())]));
        i = j.min(bytes.len());
    }
    found
}

fn parse_tag(inner: &str) -> (String, Vec<(String, String)>) {
    let inner = inner.trim_end_matches('/');
    let name_end = inner
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    let mut attributes = Vec::new();
    let mut rest = inner[name_end..].trim_start_matches(|c: char| c.is_whitespace() || c == '/');
    while !rest.is_empty() {
        let end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let attr = rest[..end].to_ascii_lowercase();
        rest = rest[end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, tail) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q).map_or(after.len(), |p| p + 1);
                    (&after[1..close], &after[(close + 1).min(after.len())..])
                }
                _ => {
                    let close = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..close], &after[close..])
                }
            };
            value = v.to_owned();
            rest = tail;
        }
        attributes.push((attr, value));
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
    }
    (name, attributes)
}

/// Panics, naming `payload`, when `html` holds anything that could run.
fn assert_inert(html: &str, payload: &str) {
    for (tag, attributes) in tags(html) {
        assert!(
            INERT.contains(&tag.as_str()),
            "payload {payload:?}: element <{tag}> in {html}"
        );
        for (name, value) in attributes {
            assert!(
                !name.starts_with("on"),
                "payload {payload:?}: handler {name} in {html}"
            );
            assert!(
                name != "style" && name != "srcdoc",
                "payload {payload:?}: attribute {name} in {html}"
            );
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                let scheme = scheme_text(&value);
                for bad in ["javascript:", "vbscript:", "data:"] {
                    assert!(
                        !scheme.starts_with(bad),
                        "payload {payload:?}: {name}={value:?} in {html}"
                    );
                }
            }
        }
    }
}

/// The part of `html` between `from` and the next `to`.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let start = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} in {html}"));
    let end = html[start..].find(to).map_or(html.len(), |e| e + start);
    &html[start..end]
}

#[test]
fn the_checker_sees_what_would_run() {
    for html in [
        "<p><img src=x onerror=alert(1)></p>",
        "<a href=\"jAvA&#x09;script:alert(1)\">x</a>",
        "<p><script>alert(1)</script></p>",
        "<div style=\"x\">",
    ] {
        let caught = std::panic::catch_unwind(|| assert_inert(html, "self-test"));
        assert!(caught.is_err(), "the checker let {html} pass");
    }
    assert_inert(
        "<p>fine <a href=\"/about\" rel=\"noopener noreferrer\">x</a></p>",
        "self-test",
    );
}

#[tokio::test]
async fn xss_payloads_saved_into_placeholders_never_reach_the_storefront() {
    assert!(
        PAYLOADS.len() >= 30,
        "the corpus has {} payloads",
        PAYLOADS.len()
    );
    let app = TestApp::with_plugins(&["content"]).await;
    let admin = app.admin().await;
    let shopper = app.browser();
    for (i, payload) in PAYLOADS.iter().enumerate() {
        let url = format!("/xss-{i}");
        let mut body = page(&url, &format!("<p>before</p>{payload}<p>after</p>"));
        let name: String = format!("Name {payload}")
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(200)
            .collect();
        body["locales"]["en_US"]["name"] = json!(name);
        published(&admin, body).await;
        let shown = shopper.get(&url).await;
        assert_eq!(shown.status, 200, "payload {payload:?}: {}", shown.body);
        let content = between(&shown.body, "<div class=\"cms-content\">", "</article>");
        assert_inert(content, payload);
        assert!(
            content.contains("<p>before</p>"),
            "payload {payload:?}: {content}"
        );
        let article = between(&shown.body, "<article", "</article>");
        let heading = &between(article, "<h1>", "</h1>")["<h1>".len()..];
        assert!(
            !heading.contains('<'),
            "payload {payload:?}: the name is escaped: {heading}"
        );
        assert!(
            shown.body.trim_end().ends_with("</html>"),
            "payload {payload:?} broke the page"
        );
    }

    let all: String = PAYLOADS.concat();
    ok(
        &admin,
        "/admin/content/blocks/create",
        json!({"key": "xss", "name": "xss", "template": "text", "active": true, "slot": "footer",
               "locales": {"en_US": {"placeholders": {"content": all}}}}),
    )
    .await;
    let home = shopper.get("/").await;
    let footer = between(&home.body, "<footer", "</footer>");
    assert!(footer.contains("data-block=\"xss\""), "{footer}");
    assert_inert(footer, "every payload in one block");
}
