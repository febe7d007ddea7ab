//! The barcode page: Code 128 barcodes of SKUs, drawn as SVG on request (nothing is stored). Code set B covers
//! printable ASCII, which includes every character a SKU may hold. A symbol is: quiet zone,
//! Start B, one symbol per character, the checksum symbol, Stop, quiet zone.

use backoffice_sdk::prelude::*;

use crate::model::products;

/// Bar and space widths (in modules) of symbols 0–106; each sums to 11 modules except Stop
/// (13, with its final bar). From ISO/IEC 15417.
const PATTERNS: [&str; 107] = [
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
    "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
    "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
    "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
    "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
    "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
    "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
    "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
    "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
    "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
];

const START_B: usize = 104;
const STOP: usize = 106;
/// Quiet zone on each side, in modules (the standard asks for at least 10).
const QUIET: usize = 10;
/// Bar height in modules.
const HEIGHT: usize = 50;

/// The symbol values of `text` in code set B, with Start B, checksum and Stop; `None` when a
/// character is outside printable ASCII.
pub fn symbols(text: &str) -> Option<Vec<usize>> {
    let mut out = vec![START_B];
    for c in text.chars() {
        if !(' '..='~').contains(&c) {
            return None;
        }
        out.push(c as usize - 32);
    }
    out.push(checksum(&out));
    out.push(STOP);
    Some(out)
}

/// Start value plus each data symbol times its position (1-based), modulo 103.
pub fn checksum(start_and_data: &[usize]) -> usize {
    let weighted: usize = start_and_data
        .iter()
        .enumerate()
        .map(|(i, v)| v * i.max(1))
        .sum();
    weighted % 103
}

/// The modules of the whole symbol, quiet zones included: `true` is a bar.
pub fn modules(symbols: &[usize]) -> Vec<bool> {
    let mut out = vec![false; QUIET];
    for &symbol in symbols {
        for (i, width) in PATTERNS[symbol].bytes().enumerate() {
            let bar = i % 2 == 0;
            out.extend(std::iter::repeat_n(bar, usize::from(width - b'0')));
        }
    }
    out.extend(std::iter::repeat_n(false, QUIET));
    out
}

/// The SVG drawing of `text` (one unit per module) with the text under the bars.
pub fn svg(text: &str) -> Option<String> {
    let modules = modules(&symbols(text)?);
    let width = modules.len();
    let mut bars = String::new();
    let mut x = 0;
    while x < width {
        if modules[x] {
            let start = x;
            while x < width && modules[x] {
                x += 1;
            }
            bars.push_str(&format!(
                "<rect x=\"{start}\" y=\"0\" width=\"{}\" height=\"{HEIGHT}\"/>",
                x - start
            ));
        } else {
            x += 1;
        }
    }
    let height = HEIGHT + 12;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{w}\" height=\"{h}\" shape-rendering=\"crispEdges\">\
<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/><g fill=\"#000\">{bars}</g>\
<text x=\"{mid}\" y=\"{ty}\" font-family=\"monospace\" font-size=\"10\" text-anchor=\"middle\">{label}</text></svg>",
        w = width * 2,
        h = height * 2,
        mid = width / 2,
        ty = height - 2,
        label = escape(text),
    ))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub fn routes(router: Router) -> Router {
    router.get("barcodes", "show", show)
}

/// GET `barcodes/show?sku=`: `image/svg+xml` of the SKU's Code 128 symbol (the SKU need not
/// exist; it must be well-formed).
fn show(req: &Request) -> Reply {
    let sku = input::required(req, "sku")?;
    products::check_sku(&sku)?;
    let svg = svg(&sku).ok_or_else(|| Failure::unprocessable("sku cannot be encoded"))?;
    Ok(download(
        format!("{sku}.svg"),
        "image/svg+xml",
        svg.into_bytes(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pattern_is_eleven_modules_and_distinct() {
        for (i, p) in PATTERNS.iter().enumerate() {
            let sum: u32 = p.bytes().map(|b| u32::from(b - b'0')).sum();
            assert_eq!(sum, if i == STOP { 13 } else { 11 }, "symbol {i}");
        }
        let mut sorted = PATTERNS.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 107);
    }

    #[test]
    fn the_checksum_of_pjj123c_is_55() {
        // The worked example of the Code 128 article: Start B 104, then P J J 1 2 3 C =
        // 48 42 42 17 18 19 35; 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879,
        // 879 mod 103 = 55.
        let s = symbols("PJJ123C").unwrap();
        assert_eq!(s, [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]);
    }

    #[test]
    fn a_symbol_is_framed_by_start_stop_and_quiet_zones() {
        let m = modules(&symbols("A").unwrap());
        // quiet 10 + start 11 + 'A' 11 + checksum 11 + stop 13 + quiet 10
        assert_eq!(m.len(), 66);
        assert!(m[..10].iter().all(|b| !b) && m[56..].iter().all(|b| !b));
        // Start B = 211214: bar 2, space 1, bar 1, space 2, bar 1, space 4.
        let start: String = m[10..21]
            .iter()
            .map(|b| if *b { '1' } else { '0' })
            .collect();
        assert_eq!(start, "11010010000");
        // Stop ends with its 2-module bar.
        assert!(m[54] && m[55]);
        // 'A' = 33, checksum (104 + 33) % 103 = 34.
        assert_eq!(symbols("A").unwrap(), [104, 33, 34, 106]);
    }

    #[test]
    fn only_printable_ascii_is_encoded() {
        assert!(symbols("SKU-1_a.b").is_some());
        assert!(symbols("Ä").is_none());
        assert!(symbols("a\nb").is_none());
        let svg = svg("AB-1").unwrap();
        assert!(svg.starts_with("<svg") && svg.contains(">AB-1</text>"));
    }
}
