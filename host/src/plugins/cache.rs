//! Compiled-code cache: a component is compiled once per content hash and engine configuration,
//! then loaded from disk in well under a millisecond on every later start. JavaScript and Python
//! components take seconds to compile, so this is what makes restarts fast.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components live, and the engine they were compiled for.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: PathBuf,
}

/// The outcome of [`CompileCache::load`].
pub struct Loaded {
    pub component: Component,
    /// Hex SHA-256 of the `.wasm` bytes.
    pub hash: String,
    /// True when the compiled code came from the cache.
    pub cached: bool,
}

impl CompileCache {
    pub fn new(dir: impl Into<PathBuf>) -> CompileCache {
        CompileCache { dir: dir.into() }
    }

    /// Compiles `bytes`, or loads the result of an earlier compilation of the same bytes by an
    /// engine with the same configuration. Runs on the blocking pool: compilation is CPU-bound.
    pub async fn load(&self, engine: &Engine, bytes: Vec<u8>) -> anyhow::Result<Loaded> {
        let cache = self.clone();
        let engine = engine.clone();
        tokio::task::spawn_blocking(move || cache.load_blocking(&engine, &bytes)).await?
    }

    fn load_blocking(&self, engine: &Engine, bytes: &[u8]) -> anyhow::Result<Loaded> {
        let hash = content_hash(bytes);
        let path = self.path_for(engine, &hash);
        if path.exists() {
            match deserialize(engine, &path) {
                Ok(component) => {
                    return Ok(Loaded {
                        component,
                        hash,
                        cached: true,
                    });
                }
                // A truncated or stale file: recompile and overwrite it.
                Err(err) => {
                    tracing::warn!(path = %path.display(), error = %err, "discarding unusable compile cache entry")
                }
            }
        }
        let component = Component::new(engine, bytes).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        if let Err(err) = self.store(&path, &component) {
            tracing::warn!(path = %path.display(), error = %err, "could not write the compile cache");
        }
        Ok(Loaded {
            component,
            hash,
            cached: false,
        })
    }

    fn path_for(&self, engine: &Engine, hash: &str) -> PathBuf {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        self.dir
            .join(format!("{hash}-{:016x}.cwasm", hasher.finish()))
    }

    /// Writes atomically (temporary file + rename) so a crash never leaves a half file behind.
    fn store(&self, path: &Path, component: &Component) -> anyhow::Result<()> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let bytes = component.serialize().map_err(|e| anyhow::anyhow!("{e}"))?;
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }
}

/// Hex SHA-256 of a component's bytes: its identity in the cache and on the Plugins page.
pub fn content_hash(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Loads precompiled code from our own cache directory.
#[allow(unsafe_code)]
fn deserialize(engine: &Engine, path: &Path) -> anyhow::Result<Component> {
    // SAFETY: wasmtime requires that the file was produced by `serialize` of a compatible
    // engine and not tampered with. The file name carries the content hash and the engine's
    // compatibility hash, and only this module writes into the cache directory, which lives in
    // the host's data directory (the same trust level as the database).
    unsafe { Component::deserialize_file(engine, path) }.map_err(|e| anyhow::anyhow!("{e}"))
}
