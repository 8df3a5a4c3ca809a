//! The table of operations the xtask adds to the generated crate
//! (`operations::OPERATIONS`): every operation as progenitor names it, with the
//! spec's operationId, method and path, and whether a successful answer is a
//! JSON document.
//!
//! Why generate it: the facade needs these facts for every request (the
//! operationId and path for tracing and errors, the kind of answer to decode).
//! Read from the embedded spec at run time, they cost a parse of the whole
//! document on a client's first request (about five million instructions) and
//! a hash lookup on every request; as a sorted table they cost a binary search.
//!
//! progenitor's names are read from its own output (the `operation_id` of the
//! `OperationInfo` each builder's `send` builds), not derived again, and the
//! table must hold every operation of the spec exactly once, or generation
//! fails: a change in progenitor shows here rather than as a wrong lookup.

use std::collections::BTreeMap;

use quote::quote;
use serde_json::Value;
use syn::visit::Visit;

use crate::generate::METHODS;

/// One operation of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// progenitor's name: the builder method, e.g. `get_database`.
    pub name: String,
    /// The spec's operationId, e.g. `getDatabase`.
    pub id: String,
    /// The HTTP method, upper case.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Whether a successful (2xx) answer carries a JSON body.
    pub json_success: bool,
}

/// The table for the spec `doc`, as generated into `file`, sorted by name.
pub fn rows(file: &syn::File, doc: &Value) -> Result<Vec<Row>, String> {
    let mut generated = generated_names(file);
    let mut rows = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let method = method.to_uppercase();
            let name = generated
                .remove(&(method.clone(), path.clone()))
                .ok_or_else(|| format!("progenitor generated no call for {method} {path}"))?;
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{method} {path} has no operationId"))?;
            rows.push(Row {
                name,
                id: id.to_string(),
                method,
                path: path.clone(),
                json_success: answers_json(op),
            });
        }
    }
    if let Some(((method, path), name)) = generated.into_iter().next() {
        return Err(format!(
            "progenitor generated `{name}` for {method} {path}, which the spec does not have"
        ));
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(pair) = rows.windows(2).find(|pair| pair[0].name == pair[1].name) {
        return Err(format!(
            "progenitor named two operations `{}` ({} and {})",
            pair[0].name, pair[0].id, pair[1].id
        ));
    }
    Ok(rows)
}

/// Whether an operation's successful (2xx) answers carry a JSON body.
pub fn answers_json(op: &Value) -> bool {
    op.get("responses")
        .and_then(Value::as_object)
        .is_some_and(|responses| {
            responses.iter().any(|(status, response)| {
                status.starts_with('2')
                    && response
                        .get("content")
                        .and_then(Value::as_object)
                        .is_some_and(|c| c.contains_key("application/json"))
            })
        })
}

/// (METHOD, path) → progenitor's name, read from each builder's `send` (see
/// [`crate::surface::builder_sends`]): its body builds
/// `OperationInfo { operation_id: "name" }`.
fn generated_names(file: &syn::File) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for (method, path, f) in crate::surface::builder_sends(file) {
        let mut finder = OperationId(None);
        finder.visit_block(&f.block);
        if let Some(name) = finder.0 {
            out.insert((method, path), name);
        }
    }
    out
}

/// Finds the `operation_id` of an `OperationInfo { .. }` literal.
struct OperationId(Option<String>);

impl<'ast> Visit<'ast> for OperationId {
    fn visit_expr_struct(&mut self, node: &'ast syn::ExprStruct) {
        let is_info = node
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "OperationInfo");
        if is_info {
            for field in &node.fields {
                let named = matches!(&field.member, syn::Member::Named(m) if m == "operation_id");
                if let (
                    true,
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }),
                ) = (named, &field.expr)
                {
                    self.0 = Some(s.value());
                }
            }
        }
        syn::visit::visit_expr_struct(self, node);
    }
}

/// The `operations` module of the generated crate.
pub fn tokens(rows: &[Row]) -> proc_macro2::TokenStream {
    let entries = rows.iter().map(|r| {
        let (name, id, method, path, json) = (&r.name, &r.id, &r.method, &r.path, r.json_success);
        quote! {
            Operation { name: #name, id: #id, method: #method, path: #path, json_success: #json }
        }
    });
    quote! {
        /// Every operation of the spec, as the generated client names it.
        pub mod operations {
            /// One operation.
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct Operation {
                /// The builder method, e.g. `get_database`: the name
                /// [`crate::hooks::RequestHooks::exec`] receives.
                pub name: &'static str,
                /// The spec's operationId, e.g. `getDatabase`.
                pub id: &'static str,
                /// The HTTP method, upper case.
                pub method: &'static str,
                /// The path template.
                pub path: &'static str,
                /// Whether a successful (2xx) answer carries a JSON body.
                pub json_success: bool,
            }

            /// Every operation, sorted by [`Operation::name`].
            pub const OPERATIONS: &[Operation] = &[ #( #entries ),* ];

            /// The operation the generated client names `name`.
            pub fn by_name(name: &str) -> Option<&'static Operation> {
                OPERATIONS
                    .binary_search_by(|op| op.name.cmp(name))
                    .ok()
                    .and_then(|i| OPERATIONS.get(i))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn generated(sends: &[(&str, &str, &str)]) -> syn::File {
        let fns = sends.iter().enumerate().map(|(i, (method, path, name))| {
            let doc = format!("Sends a `{method}` request to `{path}`");
            let ty = quote::format_ident!("B{i}");
            quote! {
                impl #ty {
                    #[doc = #doc]
                    pub async fn send(self) {
                        let info = OperationInfo { operation_id: #name };
                        client.exec(request, &info).await;
                    }
                }
            }
        });
        syn::parse2(quote! { pub mod builder { #( #fns )* } }).unwrap()
    }

    fn spec() -> Value {
        json!({"paths": {
            "/v1/dbs": {
                "get": {"operationId": "listDbs", "responses": {"200": {
                    "content": {"application/json": {"schema": {}}}}}},
                "post": {"operationId": "touchDbs", "responses": {"204": {"description": "done"}}}
            }
        }})
    }

    #[test]
    fn joins_progenitor_names_with_the_spec_sorted_by_name() {
        let file = generated(&[
            ("POST", "/v1/dbs", "touch_dbs"),
            ("GET", "/v1/dbs", "list_dbs"),
        ]);
        let rows = rows(&file, &spec()).unwrap();
        assert_eq!(
            rows,
            [
                Row {
                    name: "list_dbs".into(),
                    id: "listDbs".into(),
                    method: "GET".into(),
                    path: "/v1/dbs".into(),
                    json_success: true,
                },
                Row {
                    name: "touch_dbs".into(),
                    id: "touchDbs".into(),
                    method: "POST".into(),
                    path: "/v1/dbs".into(),
                    json_success: false,
                },
            ]
        );
        let table = tokens(&rows).to_string();
        assert!(table.contains("pub const OPERATIONS"), "{table}");
    }

    #[test]
    fn fails_when_progenitor_and_the_spec_disagree() {
        let missing = generated(&[("GET", "/v1/dbs", "list_dbs")]);
        let e = rows(&missing, &spec()).unwrap_err();
        assert!(e.contains("no call for POST /v1/dbs"), "{e}");

        let extra = generated(&[
            ("GET", "/v1/dbs", "list_dbs"),
            ("POST", "/v1/dbs", "touch_dbs"),
            ("DELETE", "/v1/dbs", "drop_dbs"),
        ]);
        let e = rows(&extra, &spec()).unwrap_err();
        assert!(e.contains("`drop_dbs` for DELETE /v1/dbs"), "{e}");

        let twice = generated(&[("GET", "/v1/dbs", "dbs"), ("POST", "/v1/dbs", "dbs")]);
        let e = rows(&twice, &spec()).unwrap_err();
        assert!(e.contains("two operations `dbs`"), "{e}");
    }
}
