//! A synthetic product catalog for benchmarks: deterministic, any slice generated on its own,
//! with words distributed so that searches find realistic numbers of products.
//!
//! Product `i` of a catalog depends only on the seed, the catalog size and `i`, so a file of
//! rows `a..b` is the same whichever order files are made in. A name is
//! `<brand> <colour> <material> <noun>`: one of 20 nouns (a search for a noun finds about 5% of
//! the catalog), one of about `size / 100` brands (a brand finds about 100 products, whatever
//! the size).

use std::collections::HashMap;
use std::ops::Range;

/// The header line of the import CSV, the columns in the order [`Product::csv_row`] writes.
pub const HEADER: &str = "abstract_sku,concrete_sku,name.en,name.de,description.en,status,categories,price.EUR.gross,price.EUR.net,stock";

/// Categories every product is filed under (slug, name): the noun's own, sometimes a
/// promotion as a second one.
pub const CATEGORIES: [(&str, &str); 12] = [
    ("shirts", "Shirts"),
    ("knitwear", "Knitwear"),
    ("outerwear", "Outerwear"),
    ("trousers", "Trousers"),
    ("skirts", "Skirts"),
    ("dresses", "Dresses"),
    ("accessories", "Accessories"),
    ("bags", "Bags"),
    ("shoes", "Shoes"),
    ("socks", "Socks"),
    ("sale", "Sale"),
    ("new", "New arrivals"),
];

/// (English, German)
const COLOURS: [(&str, &str); 8] = [
    ("red", "rot"),
    ("blue", "blau"),
    ("green", "grün"),
    ("black", "schwarz"),
    ("white", "weiß"),
    ("grey", "grau"),
    ("yellow", "gelb"),
    ("brown", "braun"),
];

/// (English, German)
const MATERIALS: [(&str, &str); 8] = [
    ("cotton", "Baumwolle"),
    ("wool", "Wolle"),
    ("linen", "Leinen"),
    ("leather", "Leder"),
    ("silk", "Seide"),
    ("denim", "Denim"),
    ("hemp", "Hanf"),
    ("bamboo", "Bambus"),
];

/// (English, German, category slug)
const NOUNS: [(&str, &str, &str); 20] = [
    ("shirt", "Hemd", "shirts"),
    ("blouse", "Bluse", "shirts"),
    ("sweater", "Pullover", "knitwear"),
    ("cardigan", "Strickjacke", "knitwear"),
    ("jacket", "Jacke", "outerwear"),
    ("coat", "Mantel", "outerwear"),
    ("trousers", "Hose", "trousers"),
    ("jeans", "Jeans", "trousers"),
    ("shorts", "Shorts", "trousers"),
    ("skirt", "Rock", "skirts"),
    ("dress", "Kleid", "dresses"),
    ("scarf", "Schal", "accessories"),
    ("hat", "Mütze", "accessories"),
    ("belt", "Gürtel", "accessories"),
    ("bag", "Tasche", "bags"),
    ("backpack", "Rucksack", "bags"),
    ("sneaker", "Sneaker", "shoes"),
    ("boot", "Stiefel", "shoes"),
    ("sandal", "Sandale", "shoes"),
    ("sock", "Socke", "socks"),
];

const SYLLABLES: [&str; 16] = [
    "ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "be", "do", "fa", "gu", "ho", "ji", "pe", "sa",
];

/// splitmix64: small, fast, good enough to spread words; not for anything secret.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// One product row.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub abstract_sku: String,
    pub concrete_sku: String,
    pub name_en: String,
    pub name_de: String,
    pub description_en: String,
    pub status: &'static str,
    pub categories: Vec<&'static str>,
    /// Cents.
    pub gross: i64,
    /// Cents.
    pub net: i64,
    pub stock: u32,
}

/// A catalog of `size` products.
#[derive(Debug, Clone)]
pub struct Catalog {
    seed: u64,
    size: usize,
    brands: Vec<String>,
}

impl Catalog {
    pub fn new(seed: u64, size: usize) -> Catalog {
        let mut rng = Rng::new(seed);
        let mut brands: Vec<String> = Vec::new();
        while brands.len() < (size / 100).max(10) {
            let syllables = 2 + rng.below(2);
            let mut brand: String = (0..syllables)
                .map(|_| SYLLABLES[rng.below(SYLLABLES.len())])
                .collect();
            brand[..1].make_ascii_uppercase();
            if !brands.contains(&brand) {
                brands.push(brand);
            }
        }
        Catalog { seed, size, brands }
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// A word in about 5% of the names (a noun).
    pub fn common_word(&self) -> &'static str {
        NOUNS[4].0
    }

    /// A word in about 100 names (a brand).
    pub fn rare_word(&self) -> &str {
        &self.brands[0]
    }

    /// Product `i` (0-based).
    pub fn product(&self, i: usize) -> Product {
        let mut rng = Rng::new(self.seed ^ (i as u64).wrapping_mul(0x2545_f491_4f6c_dd1d));
        let brand = &self.brands[rng.below(self.brands.len())];
        let (colour, farbe) = COLOURS[rng.below(COLOURS.len())];
        let (material, stoff) = MATERIALS[rng.below(MATERIALS.len())];
        let (noun, nomen, category) = NOUNS[rng.below(NOUNS.len())];
        let mut categories = vec![category];
        if rng.chance(10) {
            categories.push("sale");
        }
        if rng.chance(15) {
            categories.push("new");
        }
        let gross = (5 + rng.below(296)) as i64 * 100 - 1;
        Product {
            abstract_sku: format!("AB-{i:06}"),
            concrete_sku: format!("AB-{i:06}-1"),
            name_en: format!("{brand} {colour} {material} {noun}"),
            name_de: format!("{brand} {nomen} aus {stoff}, {farbe}"),
            description_en: format!(
                "A {colour} {noun} of {material} by {brand}. Article {i} of the \"bench\" range."
            ),
            status: if rng.chance(85) { "active" } else { "inactive" },
            categories,
            gross,
            net: (gross * 100 + 59) / 119,
            stock: rng.below(500) as u32,
        }
    }

    /// A CSV file of the products in `rows`, header first.
    pub fn csv(&self, rows: Range<usize>) -> String {
        let mut text = String::with_capacity(rows.len() * 200);
        text.push_str(HEADER);
        text.push('\n');
        for i in rows {
            text.push_str(&self.product(i).csv_row());
            text.push('\n');
        }
        text
    }
}

impl Product {
    /// The row in [`HEADER`]'s column order, quoted where CSV needs it.
    pub fn csv_row(&self) -> String {
        [
            field(&self.abstract_sku),
            field(&self.concrete_sku),
            field(&self.name_en),
            field(&self.name_de),
            field(&self.description_en),
            field(self.status),
            field(&self.categories.join(";")),
            self.gross.to_string(),
            self.net.to_string(),
            self.stock.to_string(),
        ]
        .join(",")
    }

    /// The body of the catalog's JSON `products/create` (no stock: that action has none),
    /// with category slugs turned into ids.
    pub fn create_body(&self, category_ids: &HashMap<String, String>) -> serde_json::Value {
        serde_json::json!({
            "sku": self.abstract_sku,
            "names": {"en": self.name_en, "de": self.name_de},
            "description": {"en": self.description_en},
            "status": self.status,
            "price": self.gross,
            "price_net": self.net,
            "category_ids": self
                .categories
                .iter()
                .filter_map(|slug| category_ids.get(*slug))
                .collect::<Vec<_>>(),
        })
    }
}

/// A CSV field: quoted (with `"` doubled) when it holds a comma, quote or line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_catalog_in_any_slice() {
        let a = Catalog::new(7, 1000);
        let b = Catalog::new(7, 1000);
        assert_eq!(a.csv(0..50), b.csv(0..50));
        assert_eq!(a.product(42), b.product(42));
        let whole = a.csv(0..20);
        let halves = a.csv(0..10) + &a.csv(10..20)[HEADER.len() + 1..];
        assert_eq!(whole, halves);
        assert_ne!(a.csv(0..50), Catalog::new(8, 1000).csv(0..50));
    }

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        let row = Catalog::new(1, 100).product(3).csv_row();
        assert!(row.contains(", "), "the German name has a comma: {row}");
    }

    #[test]
    fn searches_hit_realistic_numbers_of_products() {
        let catalog = Catalog::new(1, 20_000);
        let names: Vec<String> = (0..catalog.size())
            .map(|i| catalog.product(i).name_en)
            .collect();
        let hits = |word: &str| {
            names
                .iter()
                .filter(|n| n.split(' ').any(|w| w == word))
                .count()
        };
        let common = hits(catalog.common_word());
        assert!((800..1200).contains(&common), "common word: {common}");
        let rare = hits(catalog.rare_word());
        assert!((50..200).contains(&rare), "rare word: {rare}");
    }
}
