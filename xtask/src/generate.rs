//! Generation: vendored spec → effective spec → progenitor → committed files.
//!
//! For each API of the manifest this writes, into the generated crate:
//! - `openapi.json`, the effective (patched) spec, which the emulator and the
//!   tests validate against, so they check exactly what the client was made from;
//! - `src/generated.rs`, progenitor's client formatted with prettyplease, plus
//!   the hooks bridge and the type-schema registry emitted by this module;
//! - `src/lib.rs`, a small fixed root that re-exports the generated code.
//!
//! Output is deterministic: the same inputs give byte-identical files.

use std::path::PathBuf;

use quote::{format_ident, quote};
use serde_json::Value;

use crate::manifest::{Api, Workspace};
use crate::provenance::{Provenance, read_verified};
use crate::{Error, Result, normalise, overlay::Overlay};

/// The progenitor version the committed code comes from (kept equal to the
/// exact pin in the workspace `Cargo.toml`).
pub const PROGENITOR_VERSION: &str = "0.15.1";

/// One file the xtask owns, with the contents it must have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Absolute path.
    pub path: PathBuf,
    /// Expected contents.
    pub contents: String,
}

/// Something worth telling the maintainer that is not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice(pub String);

/// The effective spec of one API and where it came from.
#[derive(Debug, Clone)]
pub struct EffectiveSpec {
    /// The provenance of the vendored upstream file.
    pub provenance: Provenance,
    /// The patched document.
    pub document: Value,
    /// Things done to make it generatable, to report.
    pub notices: Vec<Notice>,
}

/// Reads the vendored spec of `api` (refusing it if its sha256 changed) and
/// applies the normalisations and overlays.
pub fn effective_spec(ws: &Workspace, api: &Api) -> Result<EffectiveSpec> {
    let spec_path = api.spec_path(ws);
    let (provenance, text) = read_verified(&spec_path, &api.provenance_path(ws))?;
    let raw = crate::spec_file::parse_document(&spec_path, &text)?;
    let (document, notices) = apply_patches(ws, api, raw)?;
    Ok(EffectiveSpec {
        provenance,
        document,
        notices,
    })
}

/// Applies `api`'s normalisations and overlays to a raw upstream document,
/// then makes sure progenitor can take it (see [`preflight`]).
pub fn apply_patches(ws: &Workspace, api: &Api, doc: Value) -> Result<(Value, Vec<Notice>)> {
    let (mut doc, failures) = apply_patches_collecting(ws, api, doc)?;
    if let Some(first) = failures.into_iter().next() {
        return Err(first);
    }
    let notices = preflight(&api.name, &mut doc)?;
    Ok((doc, notices))
}

/// Applies every normalisation and overlay action that applies and returns
/// one error for each that does not; `Err` only when a patch file itself
/// cannot be read.
pub fn apply_patches_collecting(
    ws: &Workspace,
    api: &Api,
    mut doc: Value,
) -> Result<(Value, Vec<Error>)> {
    let mut failures = Vec::new();
    for step in &api.normalisations {
        if let Err(e) = normalise::run(step, &mut doc) {
            failures.push(e);
        }
    }
    for path in api.overlay_paths(ws) {
        let overlay = Overlay::load(&path)?;
        let name = path
            .strip_prefix(&ws.root)
            .unwrap_or(&path)
            .display()
            .to_string();
        failures.extend(overlay.apply_collecting(&name, &mut doc));
    }
    Ok((doc, failures))
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Checks what progenitor needs and cannot report well itself: OpenAPI 3.0.x,
/// and one unique operationId per operation. A missing operationId is given a
/// stable name derived from method and path (reported as a notice); a
/// duplicated one is an error naming both operations.
pub fn preflight(api: &str, doc: &mut Value) -> Result<Vec<Notice>> {
    let version = doc.get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        return Err(Error::Generate {
            api: api.into(),
            message: format!(
                "the spec declares `openapi: {}`, but progenitor {PROGENITOR_VERSION} only reads \
                 OpenAPI 3.0.x; convert it to 3.0 (or vendor the upstream 3.0 document) before \
                 generating",
                if version.is_empty() {
                    "<missing>"
                } else {
                    version
                }
            ),
        });
    }
    let mut notices = Vec::new();
    let mut seen: std::collections::BTreeMap<String, String> = Default::default();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else {
        return Err(Error::Generate {
            api: api.into(),
            message: "the spec has no `paths`".into(),
        });
    };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) else {
                continue;
            };
            let where_ = format!("{} {path}", method.to_uppercase());
            let id = match op.get("operationId").and_then(Value::as_str) {
                Some(id) => id.to_string(),
                None => {
                    let id = derived_operation_id(method, path);
                    notices.push(Notice(format!(
                        "{where_} has no operationId; named it `{id}` (derived from method and \
                         path); add an overlay action to choose a better name"
                    )));
                    op.insert("operationId".into(), Value::String(id.clone()));
                    id
                }
            };
            if let Some(first) = seen.insert(id.clone(), where_.clone()) {
                return Err(Error::Generate {
                    api: api.into(),
                    message: format!(
                        "operationId `{id}` is used twice ({first} and {where_}); add an overlay \
                         action in spec/patches/ giving one of them a distinct operationId"
                    ),
                });
            }
        }
    }
    Ok(notices)
}

/// `GET /v1/organizations/{organizationSlug}/databases` → `getV1OrganizationsByOrganizationSlugDatabases`.
pub fn derived_operation_id(method: &str, path: &str) -> String {
    use heck::ToUpperCamelCase;
    let mut id = method.to_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(param) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            id.push_str("By");
            id.push_str(&param.to_upper_camel_case());
        } else {
            id.push_str(&segment.to_upper_camel_case());
        }
    }
    id
}

/// Renders every file of every API in the manifest.
pub fn render_all(ws: &Workspace) -> Result<(Vec<GeneratedFile>, Vec<Notice>)> {
    let mut files = Vec::new();
    let mut notices = Vec::new();
    for api in &ws.manifest.api {
        let effective = effective_spec(ws, api)?;
        files.extend(render_api(ws, api, &effective)?);
        notices.extend(effective.notices);
    }
    Ok((files, notices))
}

/// Renders the three files of one API's generated crate.
pub fn render_api(
    ws: &Workspace,
    api: &Api,
    effective: &EffectiveSpec,
) -> Result<Vec<GeneratedFile>> {
    let dir = api.crate_path(ws);
    let code = render_client(api, effective)?;
    Ok(vec![
        GeneratedFile {
            path: dir.join("openapi.json"),
            contents: crate::spec_file::to_pretty_json(&effective.document),
        },
        GeneratedFile {
            path: dir.join("src/generated.rs"),
            contents: code,
        },
        GeneratedFile {
            path: dir.join("src/lib.rs"),
            contents: render_lib_rs(api, effective),
        },
    ])
}

fn header(api: &Api, effective: &EffectiveSpec) -> String {
    let mut h = String::new();
    h.push_str("// @generated by `cargo xtask generate`. DO NOT EDIT.\n//\n");
    h.push_str(&format!(
        "// Generated from spec/{} (sha256 {})\n",
        api.spec.display(),
        effective.provenance.sha256
    ));
    for step in &api.normalisations {
        h.push_str(&format!("//   normalised by xtask step `{step}`\n"));
    }
    for overlay in &api.overlays {
        h.push_str(&format!("//   patched by spec/{}\n", overlay.display()));
    }
    h.push_str(&format!("// with progenitor {PROGENITOR_VERSION}. ",));
    h.push_str("To change it, change the spec patches or the xtask and regenerate;\n");
    h.push_str("// `cargo xtask check` fails while this file is out of date.\n");
    h
}

fn render_lib_rs(api: &Api, effective: &EffectiveSpec) -> String {
    let mut s = header(api, effective);
    s.push_str(&format!(
        r#"
//! The `{name}` client generated by progenitor from the patched spec.
//!
//! Do not depend on this crate directly unless you need an operation the
//! hand-written facade does not cover: it is the facade's engine and its
//! escape hatch. Every field is `Option` and errors are raw; the facade adds
//! authentication, retries, tracing and typed errors through [`hooks`].
#![forbid(unsafe_code)]

#[rustfmt::skip]
#[allow(
    clippy::all,
    clippy::pedantic,
    missing_docs,
    unused_imports,
    rustdoc::all,
)]
mod generated;

pub use generated::*;

/// The effective (patched) OpenAPI document this crate was generated from, as JSON.
pub const EFFECTIVE_SPEC_JSON: &str = include_str!("../openapi.json");

/// The sha256 of the vendored upstream spec this crate was generated from.
pub const UPSTREAM_SPEC_SHA256: &str =
    "{sha}";
"#,
        name = api.name,
        sha = effective.provenance.sha256,
    ));
    s
}

fn render_client(api: &Api, effective: &EffectiveSpec) -> Result<String> {
    let gen_err = |message: String| Error::Generate {
        api: api.name.clone(),
        message,
    };
    let spec: openapiv3::OpenAPI = serde_json::from_value(effective.document.clone())
        .map_err(|e| gen_err(format!("the effective spec is not valid OpenAPI 3.0: {e}")))?;

    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_derive("schemars::JsonSchema")
        .with_inner_type(quote!(crate::hooks::Hooks))
        .with_hooks(progenitor::HooksMode::Expected);
    let mut generator = progenitor::Generator::new(&settings);

    // progenitor panics on some inputs instead of returning an error; turn a
    // panic into a message naming the API rather than crashing the xtask.
    let tokens = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&spec)
    }))
    .map_err(|panic| {
        let what = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into());
        gen_err(format!(
            "progenitor panicked: {what}; a spec patch is needed"
        ))
    })?
    .map_err(|e| gen_err(format!("progenitor: {e}")))?;

    let client: syn::File = syn::parse2(tokens)
        .map_err(|e| gen_err(format!("progenitor produced invalid Rust: {e}")))?;
    let type_names = public_type_names(&client);
    let extra = extra_items(&type_names);
    let mut file = client;
    let extra: syn::File =
        syn::parse2(extra).map_err(|e| gen_err(format!("xtask produced invalid Rust: {e}")))?;
    file.items.extend(extra.items);

    let mut out = header(api, effective);
    out.push('\n');
    out.push_str(&prettyplease::unparse(&file));
    Ok(out)
}

/// The names of the structs and enums defined directly in `mod types`.
fn public_type_names(file: &syn::File) -> Vec<syn::Ident> {
    let Some(types) = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
        _ => None,
    }) else {
        return Vec::new();
    };
    let mut names: Vec<syn::Ident> = types
        .1
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.clone()),
            syn::Item::Enum(e) => Some(e.ident.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names
}

/// Items the xtask adds next to progenitor's output: the hooks bridge that
/// lets the facade take over sending (auth, retries, tracing) without
/// editing generated code, and a registry of every type's JSON Schema.
fn extra_items(type_names: &[syn::Ident]) -> proc_macro2::TokenStream {
    let names = type_names.iter().map(|n| n.to_string());
    let idents = type_names.iter().map(|n| format_ident!("{}", n));
    let names2 = names.clone();
    let idents2 = idents.clone();
    quote! {
        /// The extension point through which a facade takes over sending requests.
        pub mod hooks {
            use std::sync::Arc;

            /// A boxed future, as returned by [`RequestHooks::exec`].
            pub type BoxFuture<'a, T> =
                std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

            /// Sends the requests of a generated [`Client`](crate::Client).
            ///
            /// The default sends each request once with the `reqwest::Client`;
            /// an implementation can add authentication, retries and tracing.
            pub trait RequestHooks: Send + Sync + 'static {
                /// Sends `request` for the operation `info`, returning the response.
                fn exec<'a>(
                    &'a self,
                    client: &'a reqwest::Client,
                    request: reqwest::Request,
                    info: &'a progenitor_client::OperationInfo,
                ) -> BoxFuture<'a, reqwest::Result<reqwest::Response>>;
            }

            /// The client's inner value: the hooks it sends requests through.
            #[derive(Clone, Default)]
            pub struct Hooks(Option<Arc<dyn RequestHooks>>);

            impl Hooks {
                /// Sends every request through `hooks`.
                pub fn new(hooks: Arc<dyn RequestHooks>) -> Self {
                    Hooks(Some(hooks))
                }

                /// Sends every request as is, once.
                pub fn none() -> Self {
                    Hooks(None)
                }
            }

            impl std::fmt::Debug for Hooks {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(if self.0.is_some() { "Hooks(custom)" } else { "Hooks(none)" })
                }
            }

            /// Marks a response whose outcome an exec hook has taken over: it
            /// read the answer (or gave up on it) and kept what it learned for
            /// its caller. The generated call then returns
            /// `Error::Custom` with [`HANDLED`] instead of decoding the response,
            /// which is a stand-in. Hooks that never mark a response leave every
            /// call as progenitor generated it.
            #[derive(Clone, Copy, Debug)]
            pub struct Handled;

            /// The message of the `Error::Custom` a generated call returns for a
            /// response marked [`Handled`].
            pub const HANDLED: &str = "the request hooks handled this answer";

            impl progenitor_client::ClientHooks<Hooks> for crate::Client {
                async fn post<E>(
                    &self,
                    result: &reqwest::Result<reqwest::Response>,
                    _info: &progenitor_client::OperationInfo,
                ) -> Result<(), progenitor_client::Error<E>> {
                    match result {
                        Ok(response) if response.extensions().get::<Handled>().is_some() => {
                            Err(progenitor_client::Error::Custom(HANDLED.to_string()))
                        }
                        _ => Ok(()),
                    }
                }

                async fn exec(
                    &self,
                    request: reqwest::Request,
                    info: &progenitor_client::OperationInfo,
                ) -> reqwest::Result<reqwest::Response> {
                    use progenitor_client::ClientInfo;
                    match &self.inner().0 {
                        Some(hooks) => hooks.exec(self.client(), request, info).await,
                        None => self.client().execute(request).await,
                    }
                }
            }
        }

        /// The JSON Schema of every generated type, by name (for the drift snapshots).
        pub fn type_schemas() -> Vec<(&'static str, schemars::Schema)> {
            vec![ #( (#names, schemars::schema_for!(types::#idents)) ),* ]
        }

        /// Decodes `value` as the generated type named `type_name` and encodes it
        /// again: `None` for an unknown name, the decode error when it does not
        /// fit. The contract tests use it to check examples and generated bodies.
        pub fn round_trip(
            type_name: &str,
            value: serde_json::Value,
        ) -> Option<Result<serde_json::Value, serde_json::Error>> {
            match type_name {
                #( #names2 => Some(
                    serde_json::from_value::<types::#idents2>(value)
                        .and_then(|decoded| serde_json::to_value(decoded)),
                ), )*
                _ => None,
            }
        }
    }
}

/// Writes files, creating directories; returns the paths that changed.
pub fn write_files(files: &[GeneratedFile]) -> Result<Vec<PathBuf>> {
    let mut changed = Vec::new();
    for file in files {
        let current = std::fs::read_to_string(&file.path).ok();
        if current.as_deref() == Some(file.contents.as_str()) {
            continue;
        }
        if let Some(dir) = file.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&file.path, &file.contents).map_err(|e| Error::io(&file.path, e))?;
        changed.push(file.path.clone());
    }
    Ok(changed)
}
