//! The real `backoffice` executable, for tests of the command line and of `serve` as a process.
//!
//! A test binary of this package lives in `<target>/<profile>/deps/`; the host's executable
//! belongs in `<target>/<profile>/`. Cargo builds it only for the host's own tests, so the first
//! caller runs `cargo build -p backoffice --bin backoffice` into the same target directory (quick
//! when it is up to date) and every caller gets that path.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a process may take to print an expected line or to exit.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Environment variables that would change what the binary does; tests start it without them.
const OWN_ENV: &[&str] = &[
    "BACKOFFICE_DATA",
    "BACKOFFICE_DATABASE_URL",
    "BACKOFFICE_LISTEN",
    "BACKOFFICE_BEHIND_TLS",
    "BACKOFFICE_ADMIN_EMAIL",
    "BACKOFFICE_ADMIN_PASSWORD",
    "BACKOFFICE_USER_PASSWORD",
    "BACKOFFICE_LOG",
    "BACKOFFICE_LOG_FORMAT",
    "BACKOFFICE_THEMES",
];

/// The path of an up-to-date `backoffice` executable.
pub fn backoffice_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test binary's path");
        let deps = exe.parent().expect("deps directory");
        let profile_dir = deps.parent().expect("profile directory");
        let target_dir = profile_dir.parent().expect("target directory");
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .args([
                "build",
                "--quiet",
                "-p",
                "backoffice",
                "--bin",
                "backoffice",
            ])
            .arg("--manifest-path")
            .arg(&manifest)
            .env("CARGO_TARGET_DIR", target_dir);
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            build.arg("--release");
        }
        let status = build.status().expect("running cargo build");
        assert!(status.success(), "building the backoffice binary failed");
        let binary = profile_dir.join(format!("backoffice{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.exists(), "{} was not built", binary.display());
        binary
    })
}

fn command(data: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(backoffice_binary());
    command.arg("--data").arg(data).args(args);
    for name in OWN_ENV {
        command.env_remove(name);
    }
    command.env("BACKOFFICE_LOG", "warn");
    command
}

/// Runs `backoffice --data DATA ARGS…` to completion.
pub fn run(data: &Path, args: &[&str]) -> Output {
    command(data, args)
        .stdin(Stdio::null())
        .output()
        .expect("running the backoffice binary")
}

/// A `backoffice serve` process whose output lines the test reads as they come.
pub struct Served {
    child: Option<Child>,
    lines: Receiver<String>,
    /// Every stdout line read so far.
    pub seen: Vec<String>,
    stderr: Arc<Mutex<String>>,
}

impl Served {
    pub fn spawn(data: &Path, args: &[&str]) -> Served {
        Served::spawn_with_env(data, args, &[])
    }

    /// [`Served::spawn`] with environment variables set, e.g. `BACKOFFICE_LOG` (which is
    /// `warn` otherwise).
    pub fn spawn_with_env(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Served {
        let mut child = command(data, args)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting backoffice serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        Served {
            child: Some(child),
            lines,
            seen: Vec::new(),
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// Reads lines until one starts with `prefix` and returns the rest of it.
    pub fn line_after(&mut self, prefix: &str) -> String {
        let line = self.line_where(&format!("line starting with {prefix:?}"), |line| {
            line.starts_with(prefix)
        });
        line[prefix.len()..].to_owned()
    }

    /// Reads lines until one satisfies `wanted` (described by `what`) and returns it.
    pub fn line_where(&mut self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no {what} within {DEADLINE:?}; saw {:?}", self.seen)
                }
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server closed its output before {what}; saw {:?}; stderr: {}",
                    self.seen,
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Sends SIGTERM and waits (with a deadline) for the process to exit.
    pub fn terminate(mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let pid = child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("running kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        match rx.recv_timeout(DEADLINE) {
            Ok(status) => status.expect("waiting for the server"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
                panic!("the server did not stop within {DEADLINE:?} after SIGTERM");
            }
        }
    }

    /// What the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
