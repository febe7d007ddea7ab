//! The four image formats the library accepts, recognised by their magic bytes only: a file's
//! name and the browser's `Content-Type` are never asked.

use image::ImageFormat;

/// An accepted format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    /// The format whose signature starts `bytes`, if it is one of the four.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Format::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Format::Png)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(Format::Gif)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(Format::Webp)
        } else {
            None
        }
    }

    /// The stored content type: what the original is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    /// The format of a stored content type (written by [`Format::content_type`]).
    pub fn of_content_type(content_type: &str) -> Option<Format> {
        [Format::Jpeg, Format::Png, Format::Webp, Format::Gif]
            .into_iter()
            .find(|f| f.content_type() == content_type)
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
        }
    }

    /// The format resized variants keep when WebP is not asked for: the same, except a GIF,
    /// whose variants are its first frame as PNG (a still, lossless like the GIF).
    pub fn variant_format(self) -> Format {
        match self {
            Format::Gif => Format::Png,
            other => other,
        }
    }

    pub fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
            Format::Gif => ImageFormat::Gif,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn only_the_four_signatures_are_recognised() {
        assert_eq!(Format::sniff(b"\xFF\xD8\xFF\xE0rest"), Some(Format::Jpeg));
        assert_eq!(Format::sniff(b"\x89PNG\r\n\x1a\nrest"), Some(Format::Png));
        assert_eq!(Format::sniff(b"GIF89a...."), Some(Format::Gif));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some(Format::Webp));
        assert_eq!(Format::sniff(b"RIFF\0\0\0\0WAVEfmt "), None);
        assert_eq!(Format::sniff(b"plain text, named x.png"), None);
        assert_eq!(Format::sniff(b""), None);
    }
}
