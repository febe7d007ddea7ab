//! The contract versions this host binds, behind one face: [`Exports`] (a pre-instantiated
//! component of any supported version) and [`Instance`] (one sandbox's instance). The rest of
//! the runtime calls these, in the latest version's types, and never a version's generated
//! bindings; an older version's answers are converted up in its own module (Zed's pattern:
//! released versions are frozen and forwarded to the latest implementation).
//!
//! Supported: 0.2.0 (latest) and 0.1.0 (`v0_1`). The version of a plugin is what its component
//! exports, never what it says about itself.

mod v0_1;

use wasmtime::Store;
use wasmtime::component::InstancePre;

use super::bindings::{Section, SectionPre, guest, v0_1 as old};
use super::call::CallState;

/// Contract versions this host loads, newest first.
pub const SUPPORTED: &[&str] = &["0.2.0", "0.1.0"];

/// A component ready to instantiate, by the contract version it exports.
pub enum Exports {
    V0_2(SectionPre<CallState>),
    V0_1(old::SectionPre<CallState>),
}

/// One instance of a plugin, living as long as its call.
pub enum Instance {
    V0_2(Section),
    V0_1(old::Section),
}

impl Exports {
    /// Finds which supported version of the plugin interface the component exports.
    pub fn new(pre: InstancePre<CallState>) -> anyhow::Result<Exports> {
        match SectionPre::new(pre.clone()) {
            Ok(latest) => Ok(Exports::V0_2(latest)),
            Err(latest_err) => match old::SectionPre::new(pre) {
                Ok(v0_1) => Ok(Exports::V0_1(v0_1)),
                Err(_) => anyhow::bail!(
                    "the component exports no supported version of backoffice:plugin/plugin (supported: {}): {latest_err:#}",
                    SUPPORTED.join(", ")
                ),
            },
        }
    }

    /// The contract version the component was built against.
    pub fn version(&self) -> &'static str {
        match self {
            Exports::V0_2(_) => SUPPORTED[0],
            Exports::V0_1(_) => SUPPORTED[1],
        }
    }

    pub async fn instantiate(&self, store: &mut Store<CallState>) -> wasmtime::Result<Instance> {
        Ok(match self {
            Exports::V0_2(pre) => Instance::V0_2(pre.instantiate_async(store).await?),
            Exports::V0_1(pre) => Instance::V0_1(pre.instantiate_async(store).await?),
        })
    }
}

impl Instance {
    pub async fn manifest(
        &self,
        store: &mut Store<CallState>,
    ) -> wasmtime::Result<guest::PluginManifest> {
        match self {
            Instance::V0_2(i) => i.backoffice_plugin0_2_0_plugin().call_manifest(store).await,
            Instance::V0_1(i) => Ok(i
                .backoffice_plugin_plugin()
                .call_manifest(store)
                .await?
                .into()),
        }
    }

    pub async fn handle(
        &self,
        store: &mut Store<CallState>,
        request: &guest::Request,
    ) -> wasmtime::Result<guest::Response> {
        match self {
            Instance::V0_2(i) => {
                i.backoffice_plugin0_2_0_plugin()
                    .call_handle(store, request)
                    .await
            }
            Instance::V0_1(i) => Ok(i
                .backoffice_plugin_plugin()
                .call_handle(store, &request.into())
                .await?
                .into()),
        }
    }

    pub async fn on_event(
        &self,
        store: &mut Store<CallState>,
        event: &guest::Event,
    ) -> wasmtime::Result<Result<(), String>> {
        match self {
            Instance::V0_2(i) => {
                i.backoffice_plugin0_2_0_plugin()
                    .call_on_event(store, event)
                    .await
            }
            Instance::V0_1(i) => {
                i.backoffice_plugin_plugin()
                    .call_on_event(store, &event.into())
                    .await
            }
        }
    }

    pub async fn widget(
        &self,
        store: &mut Store<CallState>,
        name: &str,
    ) -> wasmtime::Result<Result<guest::View, String>> {
        match self {
            Instance::V0_2(i) => {
                i.backoffice_plugin0_2_0_plugin()
                    .call_widget(store, name)
                    .await
            }
            Instance::V0_1(i) => Ok(i
                .backoffice_plugin_plugin()
                .call_widget(store, name)
                .await?
                .map(Into::into)),
        }
    }

    /// Answers an extension point. A 0.1 plugin cannot provide one (its manifest lists none,
    /// so it is never asked).
    pub async fn provide(
        &self,
        store: &mut Store<CallState>,
        point: &str,
        input: &str,
    ) -> wasmtime::Result<Result<String, String>> {
        match self {
            Instance::V0_2(i) => {
                i.backoffice_plugin0_2_0_plugin()
                    .call_provide(store, point, &input.to_owned())
                    .await
            }
            Instance::V0_1(_) => Ok(Err(
                "a plugin built against contract 0.1 provides no extension points".into(),
            )),
        }
    }
}
