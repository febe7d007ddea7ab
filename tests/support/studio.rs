//! Theme studio fixtures: `.zip` archives built entry by entry (including the hostile ones an
//! import must refuse: symbolic links, executables, `..`, absolute paths, a 200 MB member),
//! reading an export back, and a snapshot of everything the studio stores.

use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

use reqwest::Method;
use zip::write::SimpleFileOptions;

use crate::{Browser, Multipart, TestApp};

/// One entry of an archive under construction.
#[derive(Debug, Clone)]
pub enum Entry {
    /// A file with its Unix permission bits.
    File {
        name: String,
        bytes: Vec<u8>,
        mode: u32,
    },
    /// A symbolic link to `target`.
    Symlink { name: String, target: String },
    /// A file of `size` zero bytes, deflated (a 200 MB member costs a few hundred KB).
    Zeros { name: String, size: usize },
}

/// A plain read-write file.
pub fn file(name: &str, text: &[u8]) -> Entry {
    Entry::File {
        name: name.into(),
        bytes: text.to_vec(),
        mode: 0o644,
    }
}

/// A `.zip` of `entries`, in order.
pub fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let base = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for entry in entries {
        match entry {
            Entry::File { name, bytes, mode } => {
                zip.start_file(name.as_str(), base.unix_permissions(*mode))
                    .expect("starting a zip entry");
                zip.write_all(bytes).expect("writing a zip entry");
            }
            Entry::Symlink { name, target } => {
                zip.add_symlink(name.as_str(), target.as_str(), base)
                    .expect("adding a symlink entry");
            }
            Entry::Zeros { name, size } => {
                zip.start_file(
                    name.as_str(),
                    base.compression_level(Some(1))
                        .large_file(*size as u64 > u32::MAX as u64),
                )
                .expect("starting a zip entry");
                let chunk = vec![0u8; 1 << 20];
                let mut left = *size;
                while left > 0 {
                    let n = left.min(chunk.len());
                    zip.write_all(&chunk[..n]).expect("writing zeros");
                    left -= n;
                }
            }
        }
    }
    zip.finish().expect("finishing a zip").into_inner()
}

/// The files of a `.zip`, by name.
pub fn unzip(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("reading a zip");
    let mut out = BTreeMap::new();
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("a zip entry");
        let mut body = Vec::new();
        entry.read_to_end(&mut body).expect("reading a zip entry");
        out.insert(entry.name().to_owned(), body);
    }
    out
}

/// A minimal valid theme archive named `name` that extends `default` and overrides the
/// storefront header with `header`.
pub fn good_theme(name: &str, header: &str) -> Vec<Entry> {
    vec![
        file(
            "theme.toml",
            format!("name = \"{name}\"\nversion = \"2.0.0\"\nextends = \"default\"\n\n[[variables]]\nname = \"tagline\"\ntype = \"text\"\ndefault = \"Fresh\"\n").as_bytes(),
        ),
        file("templates/storefront/header.html", header.as_bytes()),
        file("static/css/theme.css", b".shop-header { border-bottom: 3px solid red; }\n"),
        file("static/img/dot.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
    ]
}

/// A second host serving the same database (and theme folders) as an app: what a scale-out
/// deployment runs. It stops when dropped.
pub struct OtherHost {
    pub browser: Browser,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for OtherHost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl TestApp {
    /// Starts another host on this app's database with `settings`.
    pub async fn other_host(&self, settings: backoffice::WebSettings) -> OtherHost {
        let state = backoffice::AppState::new(
            self.db.clone(),
            std::sync::Arc::new(self.clock.clone()),
            settings,
        )
        .expect("building the second host's state");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding a port");
        let addr = listener.local_addr().expect("local address");
        let server = tokio::spawn(backoffice::server::serve(
            listener,
            state,
            std::future::pending::<()>(),
        ));
        OtherHost {
            browser: Browser::new(format!("http://{addr}")),
            server,
        }
    }

    /// Everything the studio stores, as text: a change anywhere changes it.
    pub async fn studio_snapshot(&self) -> String {
        let mut out = String::new();
        for table in [
            "theme_studio",
            "theme_studio_drafts",
            "theme_studio_versions",
            "theme_studio_files",
        ] {
            out.push_str(&format!("{table}: {}\n", self.count(table).await));
        }
        let revision: i64 =
            sqlx::query_scalar("SELECT revision FROM theme_studio_revision WHERE id = 1")
                .fetch_one(self.db.pool())
                .await
                .expect("reading the studio revision");
        out.push_str(&format!("revision: {revision}\n"));
        out
    }
}

impl Browser {
    /// Imports an archive through the import form, asking for `accept`.
    pub async fn import_theme(&self, archive: &[u8], accept: &str) -> crate::Reply {
        let form = Multipart::new().file("archive", "theme.zip", "application/zip", archive);
        let url = format!("/admin/themes/themes/import?_csrf={}", self.csrf());
        self.post_multipart(&url, form, accept).await
    }

    /// GET returning the raw bytes (an export).
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let response = self
            .request(Method::GET, path)
            .send()
            .await
            .expect("sending a request");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("reading a body").to_vec();
        (status, bytes)
    }
}
