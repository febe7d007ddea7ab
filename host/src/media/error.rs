//! What can go wrong with a media file. Knows nothing of HTTP: the statuses are decided in
//! `web::error`.

use crate::validate::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// A field of a form failed its check (an alt text, a search); the message names it.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The upload is larger than the host's cap (`serve --media-max-mib`).
    #[error("The file is larger than {} MiB, the most this shop accepts.", .limit >> 20)]
    TooLarge { limit: usize },
    /// The bytes are not a JPEG, PNG, WebP or GIF image, whatever the name or type said.
    #[error("{name}: {reason}. Upload a JPEG, PNG, WebP or GIF image.")]
    NotAnImage { name: String, reason: String },
    /// The header declares more pixels than the host decodes (a decompression bomb, or a
    /// photo far larger than any page shows).
    #[error("{name} is {width} × {height} pixels; at most {} megapixels and {max_side} pixels a side are accepted.", max_pixels / 1_000_000)]
    TooManyPixels {
        name: String,
        width: u32,
        height: u32,
        max_pixels: u64,
        max_side: u32,
    },
    /// The file name is not a plain name (a path, a hidden file, control characters).
    #[error("The file name {0:?} is not a plain file name.")]
    BadName(String),
    #[error("There is no media file {0}.")]
    NotFound(i64),
    /// Deleting a file that records still reference (`uses`: what the sections said).
    #[error("The media file {id} is still used by {}; remove it there first.", uses.join(", "))]
    InUse { id: i64, uses: Vec<String> },
    /// A resize or an encode of a stored original failed (it decoded at upload).
    #[error("resizing media file {id}: {reason}")]
    Variant { id: i64, reason: String },
    #[error("the image task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}
