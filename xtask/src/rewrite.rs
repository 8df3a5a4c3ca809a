//! What the xtask adds to progenitor's output, the only rewrite of it: the
//! `schemars` derives moved behind the generated crate's feature, and the
//! registries of every generated type the contract tests and drift snapshots
//! read. Pure token work on the parsed client, done for the `generate` module.

use quote::{format_ident, quote};

/// Rewrites progenitor's client in place and appends the xtask's items; an
/// error says what no longer fits progenitor's output.
pub fn finish(client: &mut syn::File, upstream_sha256: &str) -> Result<(), String> {
    if schemars_behind_feature(client) == 0 {
        return Err(
            "found no `schemars::JsonSchema` derive to put behind the feature: \
                    progenitor changed; revisit `schemars_behind_feature`"
                .into(),
        );
    }
    let type_names = public_type_names(client);
    let extra: syn::File = syn::parse2(extra_items(&type_names, upstream_sha256))
        .map_err(|e| format!("xtask produced invalid Rust: {e}"))?;
    client.items.extend(extra.items);
    Ok(())
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
