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
use crate::provenance::{Provenance, read_verified, verify_file};
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
    let (provenance, text) = match api.reference_path(ws) {
        // An authored spec: the provenance vouches for the page it was written from.
        Some(reference) => (
            verify_file(&reference, &api.provenance_path(ws))?,
            crate::spec_file::read_text(&spec_path)?,
        ),
        None => read_verified(&spec_path, &api.provenance_path(ws))?,
    };
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

pub(crate) const METHODS: &[&str] = &[
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
    h.push_str(
        "//   without progenitor's `api-version` header (xtask `strip_api_version_header`)\n",
    );
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

    let mut client: syn::File = syn::parse2(tokens)
        .map_err(|e| gen_err(format!("progenitor produced invalid Rust: {e}")))?;
    let operations = effective_operation_count(&effective.document);
    if box_response_decoding(&mut client) == 0 {
        return Err(gen_err(
            "found no `ResponseValue::from_response(..).await` to box: progenitor changed; \
             revisit `box_response_decoding`"
                .to_string(),
        ));
    }
    let stripped = strip_api_version_header(&mut client);
    if stripped != operations {
        return Err(gen_err(format!(
            "expected progenitor to add the `api-version` header in each of the {operations} \
             operations, found it in {stripped}: progenitor changed; revisit \
             `strip_api_version_header`"
        )));
    }
    let table = crate::operations::rows(&client, &effective.document).map_err(|e| {
        gen_err(format!(
            "{e}: progenitor's output and the spec disagree; revisit `operations`"
        ))
    })?;
    let type_names = public_type_names(&client);
    let mut extra = extra_items(&type_names);
    extra.extend(crate::operations::tokens(&table));
    let mut file = client;
    let extra: syn::File =
        syn::parse2(extra).map_err(|e| gen_err(format!("xtask produced invalid Rust: {e}")))?;
    file.items.extend(extra.items);

    let mut out = header(api, effective);
    out.push('\n');
    out.push_str(&prettyplease::unparse(&file));
    Ok(out)
}

/// The number of operations in an OpenAPI document: its path items' entries
/// under one of the HTTP [`METHODS`], as [`preflight`] counts them.
fn effective_operation_count(doc: &Value) -> usize {
    doc.get("paths")
        .and_then(Value::as_object)
        .map_or(0, |paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(|item| METHODS.iter().filter(|m| item.contains_key(**m)).count())
                .sum()
        })
}

/// Boxes the futures that decode answers (`ResponseValue::from_response(..)`)
/// where the generated calls await them, and returns how many it boxed.
///
/// Why: a future is as large as the largest thing it holds across an
/// `.await`, and in progenitor's calls that is the answer decoding (the
/// response, stored twice by `async fn`s, and its body collector), about half
/// of every call's future. The facade never runs it for the answers it decodes
/// itself (see `hooks::Handled`), yet every call's future, and every future
/// awaiting one, carried its size and was copied with it. Boxed, it costs an
/// allocation only on the paths that decode.
fn box_response_decoding(file: &mut syn::File) -> usize {
    struct Boxer(usize);

    fn is_from_response(expr: &syn::Expr) -> bool {
        let syn::Expr::Call(call) = expr else {
            return false;
        };
        let syn::Expr::Path(path) = call.func.as_ref() else {
            return false;
        };
        let segments: Vec<String> = path
            .path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        segments.ends_with(&["ResponseValue".to_string(), "from_response".to_string()])
    }

    impl syn::visit_mut::VisitMut for Boxer {
        fn visit_expr_await_mut(&mut self, awaited: &mut syn::ExprAwait) {
            syn::visit_mut::visit_expr_await_mut(self, awaited);
            if is_from_response(&awaited.base) {
                let base = &awaited.base;
                *awaited.base = syn::parse_quote!(::std::boxed::Box::pin(#base));
                self.0 += 1;
            }
        }
    }

    let mut boxer = Boxer(0);
    syn::visit_mut::VisitMut::visit_file_mut(&mut boxer, file);
    boxer.0
}

/// Removes the `api-version` header progenitor adds to every request (and the
/// slot reserved for it), and returns how many requests it was removed from.
///
/// progenitor always sends the spec's `info.version` in an `api-version`
/// header. The Turso service versions its API in the path (`/v1`, `/v2`), and
/// `0.1.0` describes the document rather than the API, so sending it only costs
/// work on every request and could acquire a meaning later. Removed here rather
/// than by the facade's transport so that calls made through the generated
/// client directly do not send it either. The count is checked against the
/// number of operations, so a progenitor that stops adding the header (or adds
/// it differently) fails generation instead of silently keeping it.
fn strip_api_version_header(file: &mut syn::File) -> usize {
    struct Strip(usize);

    /// `header_map.append(HeaderName::from_static("api-version"), ...);`
    fn adds_api_version(stmt: &syn::Stmt) -> bool {
        let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = stmt else {
            return false;
        };
        call.method == "append"
            && call.args.first().is_some_and(|name| {
                let syn::Expr::Call(from_static) = name else {
                    return false;
                };
                matches!(
                    from_static.args.first(),
                    Some(syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }))
                        if s.value() == "api-version"
                )
            })
    }

    /// Finds `let mut header_map = HeaderMap::with_capacity(N);` and reserves
    /// one slot fewer (progenitor counts `api-version` in `N`, one for each
    /// header parameter besides); with no slot left, the map is never written
    /// and loses its `mut`. False if the statement is not there.
    fn shrink_header_map(stmt: &mut syn::Stmt) -> bool {
        let syn::Stmt::Local(local) = stmt else {
            return false;
        };
        let syn::Pat::Ident(name) = &mut local.pat else {
            return false;
        };
        if name.ident != "header_map" {
            return false;
        }
        let Some(syn::Expr::Call(call)) = local.init.as_mut().map(|init| init.expr.as_mut()) else {
            return false;
        };
        let Some(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(n),
            ..
        })) = call.args.first_mut()
        else {
            return false;
        };
        let Some(capacity) = n
            .base10_parse::<usize>()
            .ok()
            .and_then(|c| c.checked_sub(1))
        else {
            return false;
        };
        *n = syn::LitInt::new(&format!("{capacity}usize"), n.span());
        if capacity == 0 {
            name.mutability = None;
        }
        true
    }

    impl syn::visit_mut::VisitMut for Strip {
        fn visit_block_mut(&mut self, block: &mut syn::Block) {
            let before = block.stmts.len();
            block.stmts.retain(|stmt| !adds_api_version(stmt));
            // Count a removal only where the reserved slot went too (a map of
            // capacity 0 allocates nothing).
            if block.stmts.len() < before && block.stmts.iter_mut().any(shrink_header_map) {
                self.0 += before - block.stmts.len();
            }
            syn::visit_mut::visit_block_mut(self, block);
        }
    }

    let mut strip = Strip(0);
    syn::visit_mut::VisitMut::visit_file_mut(&mut strip, file);
    strip.0
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
/// editing generated code, and a registry of every type's JSON Schema (the
/// table of operations comes from [`crate::operations`]).
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
                /// Sends `request` for the operation `operation_id` (progenitor's
                /// snake_case name), returning the response.
                fn exec<'a>(
                    &'a self,
                    client: &'a reqwest::Client,
                    request: reqwest::Request,
                    operation_id: &'static str,
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

                // A plain function rather than an `async fn`: the request goes
                // straight into the hooks' (boxed) future, instead of being
                // stored, twice, in a future that every generated call holds.
                fn exec(
                    &self,
                    request: reqwest::Request,
                    info: &progenitor_client::OperationInfo,
                ) -> impl std::future::Future<Output = reqwest::Result<reqwest::Response>> {
                    use progenitor_client::ClientInfo;
                    match &self.inner().0 {
                        Some(hooks) => hooks.exec(self.client(), request, info.operation_id),
                        None => Box::pin(self.client().execute(request)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape progenitor 0.15 gives a request with one header parameter.
    fn request_with_header_param() -> syn::File {
        syn::parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
                if let Some(value) = idempotency_key {
                    header_map.append("Idempotency-Key", value.to_string().try_into()?);
                }
            }
        }
    }

    #[test]
    fn strips_the_api_version_header_and_its_slot() {
        let mut file = request_with_header_param();
        assert_eq!(strip_api_version_header(&mut file), 1);
        let code = quote!(#file).to_string();
        assert!(!code.contains("api-version"), "{code}");
        assert!(code.contains("let mut header_map"), "{code}");
        assert!(code.contains("with_capacity (1usize)"), "{code}");
        assert!(code.contains("Idempotency-Key"), "{code}");
    }

    #[test]
    fn a_map_left_empty_is_not_mutable() {
        let mut file: syn::File = syn::parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
                );
            }
        };
        assert_eq!(strip_api_version_header(&mut file), 1);
        let code = quote!(#file).to_string();
        assert!(code.contains("let header_map"), "{code}");
        assert!(code.contains("with_capacity (0usize)"), "{code}");
    }

    #[test]
    fn boxes_every_awaited_answer_decoding() {
        let mut file: syn::File = syn::parse_quote! {
            async fn send() {
                match response.status().as_u16() {
                    200u16 => ResponseValue::from_response(response).await,
                    404u16 => Err(Error::ErrorResponse(
                        ResponseValue::from_response(response).await?,
                    )),
                    _ => Ok(ResponseValue::empty(response)),
                }
            }
        };
        assert_eq!(box_response_decoding(&mut file), 2);
        let code = quote!(#file).to_string();
        assert_eq!(
            code.matches("Box :: pin (ResponseValue :: from_response")
                .count(),
            2,
            "{code}"
        );
        assert!(
            code.contains("Ok (ResponseValue :: empty (response))"),
            "{code}"
        );
    }

    #[test]
    fn reports_when_progenitor_no_longer_adds_the_header() {
        // Without the header (or with it added some other way) nothing is
        // removed, and `render_client` refuses the count.
        let mut file: syn::File = syn::parse_quote! {
            async fn send() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.insert("api-version", "0.1.0".parse().unwrap());
            }
        };
        assert_eq!(strip_api_version_header(&mut file), 0);
    }
}
