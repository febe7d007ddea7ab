//! The host's log lines, captured in memory for tests that read what the host printed (e.g. the
//! password reset link, which is logged because there is no mail server).

use std::io::Write;
use std::sync::{Mutex, OnceLock};

static LINES: OnceLock<Mutex<String>> = OnceLock::new();

fn buffer() -> &'static Mutex<String> {
    LINES.get_or_init(|| Mutex::new(String::new()))
}

struct Sink;

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        buffer()
            .lock()
            .unwrap()
            .push_str(&String::from_utf8_lossy(bytes));
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Starts capturing `info` and above of this process (once; later calls do nothing).
pub fn capture() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .with_writer(|| Sink)
            .try_init();
    });
}

/// Every captured line containing `needle`.
pub fn lines_with(needle: &str) -> Vec<String> {
    buffer()
        .lock()
        .unwrap()
        .lines()
        .filter(|l| l.contains(needle))
        .map(str::to_owned)
        .collect()
}
