//! The host's media library (WIT `media`): images the admin uploaded, read-only. Store a
//! file's id in your records and look the file up when you render, so alt texts and URLs are
//! always the current ones. A section that stores ids should also answer `host.usage` for
//! kind `media` (see the plugin guide), so a file it uses is not deleted under it.

pub use crate::bindings::backoffice::plugin::media::{
    AltText, File, Rendition, get, get_many, search,
};

impl File {
    /// The alt text for `locale`: that locale's, else one of the same language (`en` finds
    /// `en_US`, `de_AT` finds `de_DE`), else none.
    pub fn alt_for(&self, locale: &str) -> Option<&str> {
        let language = |code: &str| code.split(['_', '-']).next().unwrap_or("").to_owned();
        self.alt
            .iter()
            .find(|a| a.locale == locale)
            .or_else(|| {
                self.alt
                    .iter()
                    .find(|a| language(&a.locale) == language(locale))
            })
            .map(|a| a.text.as_str())
    }

    /// The variant `name` (`thumb`, `medium` or `large`).
    pub fn variant(&self, name: &str) -> Option<&Rendition> {
        self.variants.iter().find(|v| v.name == name)
    }
}
