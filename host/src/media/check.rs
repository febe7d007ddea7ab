//! The content check of an upload: magic bytes, then the pixel count the header declares
//! (refused before anything is decoded), then a real decode under `image::Limits`. Only what
//! passes all three is stored, with the format and size the decode found.

use std::io::Cursor;

use image::{DynamicImage, ImageReader, Limits};

use super::error::MediaError;
use super::format::Format;

/// Most pixels an image may have (40 megapixels: a large camera photo). A file declaring more
/// is refused from its header; decoding it could take gigabytes (a "decompression bomb": a
/// 60,000 × 60,000 PNG of one colour compresses to a few kilobytes).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Longest side accepted, whatever the pixel count (a 1 × 40,000,000 strip is no picture).
pub const MAX_SIDE: u32 = 16_384;

/// An image that passed the check.
#[derive(Debug)]
pub struct Checked {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    /// The decoded pixels (a GIF's first frame), for the variants.
    pub image: DynamicImage,
}

/// The decoder limits every decode runs under: the side limit, and an allocation cap that a
/// 40-megapixel image with 16-bit channels fits.
fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_PIXELS * 8 + (64 << 20));
    limits
}

/// Decodes `bytes` as `format` under [`limits`], after checking the declared size.
pub fn decode(bytes: &[u8], format: Format, name: &str) -> Result<Checked, MediaError> {
    let not_an_image = |reason: String| MediaError::NotAnImage {
        name: name.to_owned(),
        reason,
    };
    let reader = || {
        let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
        reader.limits(limits());
        reader
    };
    let too_many = |width: u32, height: u32| MediaError::TooManyPixels {
        name: name.to_owned(),
        width,
        height,
        max_pixels: MAX_PIXELS,
        max_side: MAX_SIDE,
    };
    // The header alone first: a bomb is refused without allocating its pixels.
    let dimensions = ImageReader::with_format(Cursor::new(bytes), format.image_format())
        .into_dimensions()
        .map_err(|e| {
            not_an_image(format!(
                "it could not be read as {}: {e}",
                format.extension()
            ))
        })?;
    let (width, height) = dimensions;
    if u64::from(width) * u64::from(height) > MAX_PIXELS || width > MAX_SIDE || height > MAX_SIDE {
        return Err(too_many(width, height));
    }
    let image = reader().decode().map_err(|e| match e {
        image::ImageError::Limits(_) => too_many(width, height),
        other => not_an_image(format!("it could not be decoded: {other}")),
    })?;
    if image.width() == 0 || image.height() == 0 {
        return Err(not_an_image("it has no pixels".into()));
    }
    Ok(Checked {
        format,
        width: image.width(),
        height: image.height(),
        image,
    })
}

/// The whole check of an upload named `name` (used in messages only).
pub fn check(bytes: &[u8], name: &str) -> Result<Checked, MediaError> {
    let format = Format::sniff(bytes).ok_or_else(|| MediaError::NotAnImage {
        name: name.to_owned(),
        reason: "its content is not a JPEG, PNG, WebP or GIF image".into(),
    })?;
    decode(bytes, format, name)
}
