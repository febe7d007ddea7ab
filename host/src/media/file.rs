//! A media file as stored, and the URLs it is served at.
//!
//! URLs carry the file's id and the first 16 hex digits of its SHA-256: `/media/<id>/<hash>/
//! <name>` for the original, `/media/<id>/<hash>/<size>/<name>.<ext>` for a variant. The bytes
//! behind a URL never change (a different file has a different hash, and the server checks
//! it), which is what lets them be cached for a year. The name segment is for people only.

use std::collections::BTreeMap;

use serde::Serialize;

use super::format::Format;
use super::name;
use super::variants::Size;

/// Hex digits of the hash in URLs: enough that no two files of one shop share them.
pub const URL_HASH_LEN: usize = 16;

#[derive(Debug, Clone, Serialize)]
pub struct MediaFile {
    pub id: i64,
    /// SHA-256 of the original's bytes, lower-case hex: the file's content address.
    pub hash: String,
    pub name: String,
    /// What the decode found (never what the browser said).
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    pub bytes: i64,
    /// Alt text per locale code (`de_DE`); a locale without one is absent.
    pub alt: BTreeMap<String, String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A variant as listed with its file: its size name, dimensions and both URLs.
#[derive(Debug, Clone, Serialize)]
pub struct VariantInfo {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
    pub url: String,
    pub webp_url: String,
}

/// A file with its URLs: what pages, JSON answers and WIT `media` show.
#[derive(Debug, Clone, Serialize)]
pub struct Described {
    #[serde(flatten)]
    pub file: MediaFile,
    pub url: String,
    pub variants: Vec<VariantInfo>,
}

impl MediaFile {
    pub fn format(&self) -> Format {
        Format::of_content_type(&self.content_type).unwrap_or(Format::Png)
    }

    fn base(&self) -> String {
        format!("/media/{}/{}", self.id, &self.hash[..URL_HASH_LEN])
    }

    /// The original's URL.
    pub fn url(&self) -> String {
        format!("{}/{}", self.base(), name::slug(&self.name))
    }

    /// A variant's URL, in the original's variant format or as WebP.
    pub fn variant_url(&self, size: Size, webp: bool) -> String {
        let format = if webp {
            Format::Webp
        } else {
            self.format().variant_format()
        };
        format!(
            "{}/{}/{}.{}",
            self.base(),
            size.name(),
            name::stem(&self.name),
            format.extension()
        )
    }

    /// True when `prefix` (from a URL) is this file's hash prefix.
    pub fn matches(&self, prefix: &str) -> bool {
        prefix.len() == URL_HASH_LEN && self.hash.starts_with(prefix)
    }

    pub fn describe(self) -> Described {
        let variants = Size::ALL
            .into_iter()
            .map(|size| {
                let (width, height) = size.fit(self.width, self.height);
                VariantInfo {
                    name: size.name(),
                    width,
                    height,
                    url: self.variant_url(size, false),
                    webp_url: self.variant_url(size, true),
                }
            })
            .collect();
        Described {
            url: self.url(),
            variants,
            file: self,
        }
    }
}
