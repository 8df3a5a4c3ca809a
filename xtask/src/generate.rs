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
/// then makes sure progenitor can take it (see [`preflight`]). Every action
/// that no longer applies and every blocker is reported at once, in one
/// [`Error::Blocked`].
pub fn apply_patches(ws: &Workspace, api: &Api, doc: Value) -> Result<(Value, Vec<Notice>)> {
    let plan = crate::plan::check(ws, api, &doc, None)?;
    if !plan.blockers.is_empty() {
        return Err(Error::Blocked {
            api: api.name.clone(),
            blockers: plan.blockers,
        });
    }
    Ok((plan.document, Vec::new()))
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

/// Checks what progenitor needs and cannot report well itself (see
/// [`crate::operation_ids`] and [`crate::structure`]): a usable, unique
/// operationId per operation, OpenAPI 3.0.x, declared and named parameters,
/// request bodies it can send. Every problem found is in the one
/// [`Error::Blocked`], each with its operation and a proposed overlay action.
pub fn preflight(api: &str, doc: &Value) -> Result<Vec<Notice>> {
    let mut blockers = crate::operation_ids::check(doc, None);
    blockers.extend(crate::structure::check(doc));
    if blockers.is_empty() {
        Ok(Vec::new())
    } else {
        Err(Error::Blocked {
            api: api.into(),
            blockers,
        })
    }
}

pub use crate::operation_ids::derived_operation_id;

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

/// Renders the generated files of one API's crate: `openapi.json` (the
/// effective spec) and `src/generated.rs`. The crate's `src/lib.rs` is
/// hand-written: it holds the `ClientHooks` implementation.
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
    h.push_str("//   with schemars derives behind the `schemars` feature (xtask `schemars_behind_feature`)\n");
    h.push_str(&format!("// with progenitor {PROGENITOR_VERSION}. ",));
    h.push_str("To change it, change the spec patches or the xtask and regenerate;\n");
    h.push_str("// `cargo xtask check` fails while this file is out of date.\n");
    h
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
        .with_inner_type(quote!(sdk_runtime::Transport))
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
    if schemars_behind_feature(&mut client) == 0 {
        return Err(gen_err(
            "found no `schemars::JsonSchema` derive to put behind the feature: progenitor \
             changed; revisit `schemars_behind_feature`"
                .to_string(),
        ));
    }
    let type_names = public_type_names(&client);
    let extra = extra_items(&type_names, &effective.provenance.sha256);
    let mut file = client;
    let extra: syn::File =
        syn::parse2(extra).map_err(|e| gen_err(format!("xtask produced invalid Rust: {e}")))?;
    file.items.extend(extra.items);

    let mut out = header(api, effective);
    // Generated code is not held to the workspace's lints; said here, once,
    // rather than around each crate's `mod generated;`.
    out.push_str(
        "\n#![allow(clippy::all, clippy::pedantic, missing_docs, unused_imports, rustdoc::all)]\n\n",
    );
    out.push_str(&prettyplease::unparse(&file));
    Ok(out)
}

/// Puts progenitor's `schemars::JsonSchema` derives behind the generated
/// crate's `schemars` feature, and returns how many types it changed.
///
/// Why a rewrite: the drift snapshots need every generated type's JSON
/// Schema, users do not, and progenitor's `with_derive` cannot emit a
/// `cfg_attr` (typify's per-type attributes are not exposed by progenitor).
/// No spec patch can do it. The count is checked, so a progenitor that
/// changes how it writes derives fails generation instead of silently
/// keeping schemars in every user's build.
fn schemars_behind_feature(file: &mut syn::File) -> usize {
    struct Move(usize);

    fn is_json_schema(path: &syn::Path) -> bool {
        let names: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        names == ["schemars", "JsonSchema"]
    }

    impl Move {
        fn attrs(&mut self, attrs: &mut Vec<syn::Attribute>) {
            let mut found = false;
            attrs.retain_mut(|attr| {
                if !attr.path().is_ident("derive") {
                    return true;
                }
                let Ok(paths) = attr.parse_args_with(
                    syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
                ) else {
                    return true;
                };
                if !paths.iter().any(is_json_schema) {
                    return true;
                }
                found = true;
                let kept: Vec<&syn::Path> = paths.iter().filter(|p| !is_json_schema(p)).collect();
                *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
                !kept.is_empty()
            });
            if found {
                attrs.push(syn::parse_quote!(
                    #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
                ));
                self.0 += 1;
            }
        }
    }

    impl syn::visit_mut::VisitMut for Move {
        fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
            self.attrs(&mut item.attrs);
            syn::visit_mut::visit_item_struct_mut(self, item);
        }
        fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
            self.attrs(&mut item.attrs);
            syn::visit_mut::visit_item_enum_mut(self, item);
        }
        // typify writes `JsonSchema` by hand for constrained strings, in
        // schemars 0.8's API (which neither builds with schemars 1 nor parses
        // in edition 2024, where `gen` is a keyword): the impl goes, and the
        // type derives it behind the feature like every other.
        fn visit_item_mod_mut(&mut self, module: &mut syn::ItemMod) {
            if let Some((_, items)) = &mut module.content {
                let mut hand_written = std::collections::BTreeSet::new();
                items.retain(|item| match item {
                    syn::Item::Impl(imp)
                        if imp
                            .trait_
                            .as_ref()
                            .is_some_and(|(_, p, _)| is_json_schema(p)) =>
                    {
                        if let syn::Type::Path(ty) = imp.self_ty.as_ref() {
                            hand_written.extend(ty.path.get_ident().map(|i| i.to_string()));
                        }
                        false
                    }
                    _ => true,
                });
                for item in items.iter_mut() {
                    if let syn::Item::Struct(st) = item
                        && hand_written.contains(&st.ident.to_string())
                    {
                        st.attrs
                            .push(syn::parse_quote!(#[derive(schemars::JsonSchema)]));
                    }
                }
            }
            syn::visit_mut::visit_item_mod_mut(self, module);
        }
    }

    let mut moved = Move(0);
    syn::visit_mut::VisitMut::visit_file_mut(&mut moved, file);
    moved.0
}

/// The names of the types progenitor generated, sorted.
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

/// Items the xtask adds next to progenitor's output, all data derived from
/// it: the upstream spec's sha256, and two registries of every generated type
/// by name, for the contract tests: its JSON Schema (behind the `schemars`
/// feature, for the drift snapshots) and a decode-and-encode round trip (for
/// the spec's examples and generated bodies).
fn extra_items(type_names: &[syn::Ident], upstream_sha256: &str) -> proc_macro2::TokenStream {
    let names = type_names.iter().map(|n| n.to_string());
    let idents = type_names.iter().map(|n| format_ident!("{}", n));
    let names2 = names.clone();
    let idents2 = idents.clone();
    quote! {
        /// The sha256 of the vendored upstream spec this code was generated from.
        pub const UPSTREAM_SPEC_SHA256: &str = #upstream_sha256;

        /// The JSON Schema of every generated type, by name (for the drift snapshots).
        #[cfg(feature = "schemars")]
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

    #[test]
    fn puts_schemars_derives_behind_the_feature() {
        let mut file: syn::File = syn::parse_quote! {
            #[derive(::serde::Deserialize, Clone, schemars::JsonSchema)]
            pub struct A { x: u8 }
            #[derive(Debug, schemars::JsonSchema)]
            pub enum B { X }
            #[derive(Debug)]
            pub struct C;
        };
        assert_eq!(schemars_behind_feature(&mut file), 2);
        let code = quote!(#file).to_string();
        assert!(
            !code.contains("derive (:: serde :: Deserialize , Clone , schemars"),
            "{code}"
        );
        assert_eq!(
            code.matches("cfg_attr (feature = \"schemars\" , derive (schemars :: JsonSchema))")
                .count(),
            2,
            "{code}"
        );
    }
}
