//! `multipart/form-data` bodies built by hand, part by part in the order a browser sends a
//! form's fields, so tests control every byte (including files that are not UTF-8).

/// A multipart form under construction.
#[derive(Debug, Default)]
pub struct Multipart {
    body: Vec<u8>,
}

const BOUNDARY: &str = "----backoffice-test-boundary";

impl Multipart {
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// A text field, as `<input name=…>` sends it.
    pub fn text(mut self, name: &str, value: &str) -> Multipart {
        self.head(&format!("name=\"{name}\""), None);
        self.body.extend_from_slice(value.as_bytes());
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// A file, as `<input type=file name=…>` sends it.
    pub fn file(
        mut self,
        name: &str,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Multipart {
        self.head(
            &format!("name=\"{name}\"; filename=\"{filename}\""),
            Some(content_type),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The `Content-Type` header value to send with [`finish`](Self::finish)'s body.
    pub fn content_type() -> String {
        format!("multipart/form-data; boundary={BOUNDARY}")
    }

    /// The complete body, closing boundary included.
    pub fn finish(mut self) -> Vec<u8> {
        self.body
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        self.body
    }

    fn head(&mut self, disposition: &str, content_type: Option<&str>) {
        let mut head = format!("--{BOUNDARY}\r\nContent-Disposition: form-data; {disposition}\r\n");
        if let Some(content_type) = content_type {
            head.push_str(&format!("Content-Type: {content_type}\r\n"));
        }
        head.push_str("\r\n");
        self.body.extend_from_slice(head.as_bytes());
    }
}
