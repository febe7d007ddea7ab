//! Resized variants: three sizes by the longest side, each in the original's format (a GIF's
//! first frame as PNG) or as WebP. A variant is made on its first request from the stored
//! original and stored beside it, so every later request (on any host) reads it back.
//!
//! The `image` crate encodes WebP losslessly only, so a WebP variant of a photo can be larger
//! than its JPEG one; it is offered for browsers and themes that prefer the format.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageEncoder};

use super::format::Format;

/// A variant size: the longest side in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Thumb,
    Medium,
    Large,
}

impl Size {
    pub const ALL: [Size; 3] = [Size::Thumb, Size::Medium, Size::Large];

    pub fn name(self) -> &'static str {
        match self {
            Size::Thumb => "thumb",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }

    pub fn parse(name: &str) -> Option<Size> {
        Size::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn longest_side(self) -> u32 {
        match self {
            Size::Thumb => 200,
            Size::Medium => 600,
            Size::Large => 1200,
        }
    }

    /// The variant's dimensions for an original of `width` × `height`: scaled so the longest
    /// side is this size's, never up (a small original keeps its size), at least 1 pixel.
    pub fn fit(self, width: u32, height: u32) -> (u32, u32) {
        let longest = width.max(height);
        let target = self.longest_side();
        if longest <= target {
            return (width, height);
        }
        let scale = |side: u32| {
            ((u64::from(side) * u64::from(target) + u64::from(longest) / 2) / u64::from(longest))
                .max(1) as u32
        };
        (scale(width), scale(height))
    }
}

/// Quality of JPEG variants: visually the original at a fraction of the bytes.
const JPEG_QUALITY: u8 = 85;

/// `image` resized to `size` and encoded as `format`. CPU work: call it off the async runtime.
pub fn render(image: &DynamicImage, size: Size, format: Format) -> Result<Vec<u8>, String> {
    let (width, height) = size.fit(image.width(), image.height());
    let resized = if (width, height) == (image.width(), image.height()) {
        image.clone()
    } else {
        image.resize_exact(width, height, FilterType::CatmullRom)
    };
    encode(&resized, format)
}

fn encode(image: &DynamicImage, format: Format) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    let (w, h) = (image.width(), image.height());
    let result = match format {
        Format::Jpeg => {
            let rgb = image.to_rgb8();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(
                &rgb,
                w,
                h,
                image::ExtendedColorType::Rgb8,
            )
        }
        Format::Webp => {
            let rgba = image.to_rgba8();
            WebPEncoder::new_lossless(&mut out).write_image(
                &rgba,
                w,
                h,
                image::ExtendedColorType::Rgba8,
            )
        }
        Format::Png | Format::Gif => {
            let rgba = image.to_rgba8();
            PngEncoder::new(&mut out).write_image(&rgba, w, h, image::ExtendedColorType::Rgba8)
        }
    };
    result.map_err(|e| e.to_string())?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::Size;

    #[test]
    fn the_longest_side_is_scaled_and_never_up() {
        assert_eq!(Size::Thumb.fit(1000, 500), (200, 100));
        assert_eq!(Size::Thumb.fit(500, 1000), (100, 200));
        assert_eq!(Size::Medium.fit(300, 200), (300, 200));
        assert_eq!(Size::Large.fit(5000, 1), (1200, 1));
    }
}
