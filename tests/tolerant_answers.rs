//! Answers are accepted as long as what they describe can be identified.
//!
//! For every operation's example answer (the spec's own examples), every
//! field at every depth is removed, and set to `null`, one at a time, and the
//! body is decoded into the operation's generated type the way the facade
//! decodes answers (`sdk_runtime::tolerant::decode`, which the facade's
//! `Client::call` falls back to). Exhaustive rather than sampled: the
//! examples have a few hundred fields in all.
//!
//! - a field that is not required (not an identity field) still decodes;
//! - a required field whose every enclosing object is required too, and not
//!   inside a list, is the answer's identity: a `Decode` error naming it;
//! - a required field inside a list item makes only that item go.

use serde_json::Value;
use turso_platform_contract_tests::effective_spec;
use turso_platform_contract_tests::schema::{
    properties, required_of, resolve, sample_from_examples, success_bodies,
};
use turso_platform_generated::types;

/// Decodes `body` as the generated type named `type_name`, tolerantly.
macro_rules! decoders {
    ($($name:ident),* $(,)?) => {
        fn decode(type_name: &str, body: &[u8]) -> Option<Result<(), String>> {
            match type_name {
                $(stringify!($name) => Some(
                    sdk_runtime::tolerant::decode::<types::$name>(body)
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                ),)*
                _ => None,
            }
        }
    };
}

decoders!(
    AddLocationToGroupResponse,
    AddOrganizationMemberResponse,
    CreateApiTokenResponse,
    CreateDatabaseResponse,
    CreateDatabaseTokenResponse,
    CreateGroupResponse,
    CreateGroupTokenResponse,
    DatabaseConfigurationResponse,
    DeleteDatabaseResponse,
    DeleteGroupResponse,
    GetCurrentUserResponse,
    GetDatabaseInstanceResponse,
    GetDatabaseResponse,
    GetDatabaseStatsResponse,
    GetDatabaseUsageResponse,
    GetGroupResponse,
    GetOrganizationMemberResponse,
    GetOrganizationResponse,
    GetOrganizationSubscriptionResponse,
    GetOrganizationUsageResponse,
    Group,
    GroupConfigurationResponse,
    InviteOrganizationMemberV2Response,
    ListApiTokensResponse,
    ListDatabaseInstancesResponse,
    ListDatabasesResponse,
    ListGroupsResponse,
    ListLocationsResponse,
    ListOrganizationApiTokensResponse,
    ListOrganizationAuditLogsResponse,
    ListOrganizationInvitesV2Response,
    ListOrganizationInvoicesResponse,
    ListOrganizationMembersResponse,
    ListOrganizationPlansResponse,
    RemoveLocationFromGroupResponse,
    RemoveOrganizationMemberResponse,
    RevokeApiTokenResponse,
    RevokeOrganizationApiTokenResponse,
    UnarchiveGroupResponse,
    UpdateMemberRoleResponse,
    UpdateOrganizationResponse,
    ValidateApiTokenResponse,
);

/// One field of an example answer.
struct Field {
    /// JSON pointer steps to it.
    path: Vec<PathStep>,
    name: String,
    /// Required in its object, and every enclosing object required in its
    /// own, with no list on the way: the answer's identity.
    identity: bool,
    /// Required in its object, inside a list item.
    item_identity: bool,
}

#[derive(Clone)]
enum PathStep {
    Key(String),
    Index(usize),
}

fn fields(
    spec: &Value,
    schema: &Value,
    value: &Value,
    at: Vec<PathStep>,
    chain: bool,
    in_list: bool,
    out: &mut Vec<Field>,
) {
    let schema = resolve(spec, schema);
    match value {
        Value::Object(map) => {
            let props = properties(spec, schema);
            let required = required_of(schema);
            for (name, v) in map {
                let Some(prop) = props.iter().find(|(n, _)| *n == name).map(|(_, p)| *p) else {
                    continue;
                };
                let is_required = required.contains(name);
                let mut path = at.clone();
                path.push(PathStep::Key(name.clone()));
                out.push(Field {
                    path: path.clone(),
                    name: name.clone(),
                    identity: is_required && chain && !in_list,
                    item_identity: is_required && in_list,
                });
                fields(spec, prop, v, path, chain && is_required, in_list, out);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    let mut path = at.clone();
                    path.push(PathStep::Index(i));
                    fields(spec, item_schema, item, path, true, true, out);
                }
            }
        }
        _ => {}
    }
}

/// `value` with the field at `path` removed (`None`) or replaced.
fn with(value: &Value, path: &[PathStep], replacement: Option<Value>) -> Value {
    let mut out = value.clone();
    let mut at = &mut out;
    let (last, parents) = path.split_last().unwrap();
    for step in parents {
        at = match step {
            PathStep::Key(k) => &mut at[k.as_str()],
            PathStep::Index(i) => &mut at[*i],
        };
    }
    let PathStep::Key(k) = last else {
        unreachable!("fields are object keys")
    };
    let map = at.as_object_mut().unwrap();
    match replacement {
        None => {
            map.remove(k);
        }
        Some(v) => {
            map.insert(k.clone(), v);
        }
    }
    out
}

#[test]
fn every_example_answer_survives_losing_any_field_but_its_identity() {
    let spec = effective_spec();
    let (mut optional, mut identities, mut items) = (0, 0, 0);
    for (operation, schema, type_name) in success_bodies(&spec) {
        let Some(example) = schema
            .get("x-media-example")
            .cloned()
            .or_else(|| sample_from_examples(&spec, &schema))
        else {
            continue;
        };
        let strict = decode(&type_name, example.to_string().as_bytes()).unwrap_or_else(|| {
            panic!("{operation}: {type_name} is missing from decoders!; add it")
        });
        strict.unwrap_or_else(|e| panic!("{operation}: the example itself does not decode: {e}"));
        let mut found = vec![];
        fields(&spec, &schema, &example, vec![], true, false, &mut found);
        for field in found {
            for (how, replacement) in [("removed", None), ("null", Some(Value::Null))] {
                let body = with(&example, &field.path, replacement).to_string();
                let result = decode(&type_name, body.as_bytes()).unwrap();
                let what = format!("{operation}: `{}` {how}", field.name);
                if field.identity {
                    let e = result.expect_err(&what);
                    assert!(
                        e.contains(&format!("`{}`", field.name))
                            || e.contains(&format!("{}:", field.name))
                            || e.contains(&format!(".{}", field.name)),
                        "{what}: the error does not name the field: {e}"
                    );
                    identities += 1;
                } else {
                    result.unwrap_or_else(|e| panic!("{what}: {e}"));
                    if field.item_identity {
                        items += 1;
                    } else {
                        optional += 1;
                    }
                }
            }
        }
    }
    // Enough of each kind that the test means something.
    assert!(optional > 200, "{optional} optional fields checked");
    assert!(identities > 30, "{identities} identity fields checked");
    assert!(items > 10, "{items} list-item identities checked");
}
