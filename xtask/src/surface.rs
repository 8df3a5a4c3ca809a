//! The API surface, described for the schema-drift snapshots.
//!
//! Two sources are combined so that a drift in either shows up as a reviewed
//! snapshot diff: the effective spec (operations, parameters, component
//! schemas) and the generated Rust code (the request, success and error type
//! of every operation, read from each builder's `send` signature).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// Every operation and component schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Surface {
    /// Operations in spec order.
    pub operations: Vec<Operation>,
    /// Component schemas by name: property name → type description.
    pub schemas: BTreeMap<String, BTreeMap<String, String>>,
}

/// One operation as users of the generated client see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Operation {
    /// The operationId.
    pub operation_id: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Parameters, in spec order.
    pub parameters: Vec<Parameter>,
    /// The request body's schema, `None` when there is no body.
    pub request_body: Option<String>,
    /// The Rust type of a successful answer (from the generated code).
    pub success_type: String,
    /// The Rust type of a documented error answer (from the generated code).
    pub error_type: String,
}

/// One parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Its schema, described.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether it is required.
    pub required: bool,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Describes the surface of `spec` as generated into `generated_source`.
pub fn describe(spec: &Value, generated_source: &str) -> Surface {
    let signatures = send_signatures(generated_source);
    let mut operations = Vec::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let key = (method.to_uppercase(), path.clone());
                let (success_type, error_type) = signatures
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| ("<not generated>".into(), "<not generated>".into()));
                let mut parameters: Vec<Parameter> = Vec::new();
                let all = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .chain(
                        op.get("parameters")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten(),
                    );
                for p in all {
                    let p = resolve(spec, p);
                    parameters.push(Parameter {
                        name: str_of(p, "name"),
                        location: str_of(p, "in"),
                        ty: p
                            .get("schema")
                            .map(|s| describe_schema(spec, s))
                            .unwrap_or_default(),
                        required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                    });
                }
                let request_body = op.get("requestBody").map(|b| {
                    let b = resolve(spec, b);
                    let schema = b
                        .pointer("/content/application~1json/schema")
                        .map(|s| describe_schema(spec, s))
                        .unwrap_or_else(|| "<non-JSON body>".into());
                    let required = b.get("required").and_then(Value::as_bool).unwrap_or(false);
                    if required {
                        schema
                    } else {
                        format!("optional {schema}")
                    }
                });
                operations.push(Operation {
                    operation_id: str_of(op, "operationId"),
                    method: key.0,
                    path: path.clone(),
                    parameters,
                    request_body,
                    success_type,
                    error_type,
                });
            }
        }
    }
    let mut schemas = BTreeMap::new();
    if let Some(components) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in components {
            let required = required_of(schema);
            let mut props = BTreeMap::new();
            for (prop, prop_schema) in properties_of(spec, schema) {
                let mut ty = describe_schema(spec, prop_schema);
                if required.contains(prop) {
                    ty = format!("required {ty}");
                }
                props.insert(prop.clone(), ty);
            }
            if props.is_empty() {
                props.insert("<self>".into(), describe_schema(spec, schema));
            }
            schemas.insert(name.clone(), props);
        }
    }
    Surface {
        operations,
        schemas,
    }
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Follows local `$ref`s (`#/components/...`) to what they point at; a
/// dangling reference is returned as is.
pub fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    let mut current = schema;
    // The bound only guards against a reference cycle in a malformed spec.
    for _ in 0..32 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(r) => match spec.pointer(r.trim_start_matches('#')) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

/// The names a schema lists under `required`.
pub fn required_of(schema: &Value) -> Vec<String> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The properties a schema declares, including those of its `allOf` parts.
pub fn properties_of<'a>(spec: &'a Value, schema: &'a Value) -> Vec<(&'a String, &'a Value)> {
    let schema = resolve(spec, schema);
    let mut out: Vec<(&String, &Value)> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().collect())
        .unwrap_or_default();
    for part in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(properties_of(spec, part));
    }
    out
}

/// A one-line description of a schema: `string(date-time)`, `array<Database>`,
/// `enum[full-access, read-only]`, `object{error: string}`, `nullable ...`.
pub fn describe_schema(spec: &Value, schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return r.rsplit('/').next().unwrap_or(r).to_string();
    }
    let nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let ty = schema.get("type").and_then(Value::as_str);
    let body = if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        let values: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map(str::to_string).unwrap_or(v.to_string()))
            .collect();
        format!("enum[{}]", values.join(", "))
    } else if let Some(variants) = schema
        .get("oneOf")
        .or(schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        let parts: Vec<String> = variants.iter().map(|v| describe_schema(spec, v)).collect();
        format!("oneOf({})", parts.join(" | "))
    } else if ty == Some("array") {
        let items = schema
            .get("items")
            .map(|i| describe_schema(spec, i))
            .unwrap_or_default();
        format!("array<{items}>")
    } else if ty == Some("object")
        || schema.get("properties").is_some()
        || schema.get("allOf").is_some()
    {
        let required = required_of(schema);
        let props: Vec<String> = properties_of(spec, schema)
            .into_iter()
            .map(|(k, v)| {
                let mark = if required.contains(k) { "" } else { "?" };
                format!("{k}{mark}: {}", describe_schema(spec, v))
            })
            .collect();
        match schema.get("additionalProperties") {
            Some(extra) if extra.is_object() => {
                format!("map<string, {}>", describe_schema(spec, extra))
            }
            _ => format!("object{{{}}}", props.join(", ")),
        }
    } else {
        match (ty, schema.get("format").and_then(Value::as_str)) {
            (Some(t), Some(f)) => format!("{t}({f})"),
            (Some(t), None) => t.to_string(),
            (None, _) => "any".to_string(),
        }
    };
    if nullable {
        format!("nullable {body}")
    } else {
        body
    }
}

/// (METHOD, path) → (success type, error type), read from each builder's
/// `send` method (see [`builder_sends`]): its return type is
/// `Result<ResponseValue<T>, Error<E>>`.
pub fn send_signatures(source: &str) -> BTreeMap<(String, String), (String, String)> {
    let mut out = BTreeMap::new();
    let Ok(file) = syn::parse_file(source) else {
        return out;
    };
    for (method, path, f) in builder_sends(&file) {
        let syn::ReturnType::Type(_, ty) = &f.sig.output else {
            continue;
        };
        if let Some((ok, err)) = result_args(ty) {
            out.insert((method, path), (ok, err));
        }
    }
    out
}

/// Every builder's `send` method in progenitor's output, with the method and
/// path its doc names ("Sends a `GET` request to `/path`").
pub fn builder_sends(file: &syn::File) -> Vec<(String, String, &syn::ImplItemFn)> {
    let mut out = Vec::new();
    let Some((_, items)) = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
        _ => None,
    }) else {
        return out;
    };
    for item in items {
        let syn::Item::Impl(imp) = item else { continue };
        for f in &imp.items {
            let syn::ImplItem::Fn(f) = f else { continue };
            if f.sig.ident != "send" {
                continue;
            }
            let doc: String = f
                .attrs
                .iter()
                .filter_map(|a| match &a.meta {
                    syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                        syn::Expr::Lit(syn::ExprLit {
                            lit: syn::Lit::Str(s),
                            ..
                        }) => Some(s.value()),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            let ticks: Vec<&str> = doc.split('`').collect();
            if let (Some(method), Some(path)) = (ticks.get(1), ticks.get(3)) {
                out.push((method.to_string(), path.to_string(), f));
            }
        }
    }
    out
}

/// `Result<ResponseValue<T>, Error<E>>` → ("T", "E") as compact strings.
fn result_args(ty: &syn::Type) -> Option<(String, String)> {
    let generic_args = |ty: &syn::Type| -> Option<Vec<syn::Type>> {
        let syn::Type::Path(p) = ty else { return None };
        let last = p.path.segments.last()?;
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        Some(
            args.args
                .iter()
                .filter_map(|a| match a {
                    syn::GenericArgument::Type(t) => Some(t.clone()),
                    _ => None,
                })
                .collect(),
        )
    };
    let outer = generic_args(ty)?;
    let ok = generic_args(outer.first()?)?.first()?.clone();
    let err = generic_args(outer.get(1)?)?.first()?.clone();
    let render = |t: &syn::Type| quote::quote!(#t).to_string().replace(' ', "");
    Some((render(&ok), render(&err)))
}
