//! A realistic fragment of the Turso Platform API (JSON, written by hand after the
//! vendored spec, quirks included), an evolution of it, and the exact report; plus
//! the JSON and text renderings.

use serde_json::{Value, json};
use spec_diff::{Change, FailOn, Report, Severity, diff};

fn org_param(name: &str) -> Value {
    json!({"name": name, "in": "path", "required": true,
        "schema": {"type": "string"}, "description": "The name of the organization or user."})
}

/// The older document: `organizationName`, no operationId on delete, a 409 on create.
fn old_spec() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "Turso Platform API", "version": "0.1.0"},
        "servers": [{"url": "https://api.turso.tech"}],
        "paths": {
            "/v1/organizations/{organizationName}/databases": {
                "get": {
                    "operationId": "listDatabases",
                    "parameters": [
                        {"$ref": "#/components/parameters/organizationName"},
                        {"name": "group", "in": "query", "schema": {"type": "string"}},
                        {"name": "schema", "in": "query", "schema": {"type": "string"}, "deprecated": true}
                    ],
                    "responses": {"200": {"description": "Successful response", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {
                            "databases": {"type": "array", "items": {"$ref": "#/components/schemas/Database"}}
                        }}
                    }}}}
                },
                "post": {
                    "operationId": "createDatabase",
                    "parameters": [{"$ref": "#/components/parameters/organizationName"}],
                    "requestBody": {"$ref": "#/components/requestBodies/CreateDatabase"},
                    "responses": {
                        "200": {"description": "Successful response", "content": {"application/json": {
                            "schema": {"type": "object", "properties": {
                                "database": {"$ref": "#/components/schemas/Database", "description": "The newly created database"}
                            }}
                        }}},
                        "409": {"$ref": "#/components/responses/Conflict"}
                    }
                }
            },
            "/v1/organizations/{organizationName}/databases/{databaseName}": {
                "parameters": [
                    {"$ref": "#/components/parameters/organizationName"},
                    {"$ref": "#/components/parameters/databaseName"}
                ],
                "get": {
                    "operationId": "getDatabase",
                    "responses": {
                        "200": {"description": "Successful response", "content": {"application/json": {
                            "schema": {"type": "object", "properties": {
                                "database": {"$ref": "#/components/schemas/Database"}
                            }}
                        }}},
                        "404": {"$ref": "#/components/responses/NotFound"}
                    }
                },
                "delete": {
                    "responses": {
                        "200": {"description": "Successful response", "content": {"application/json": {
                            "schema": {"type": "object", "properties": {
                                "database": {"$ref": "#/components/schemas/Database/properties/Name"}
                            }}
                        }}},
                        "404": {"$ref": "#/components/responses/NotFound"}
                    }
                }
            },
            "/v1/organizations/{organizationName}/groups/{groupName}": {
                "get": {
                    "operationId": "getGroup",
                    "parameters": [
                        {"$ref": "#/components/parameters/organizationName"},
                        {"name": "groupName", "in": "path", "required": true, "schema": {"type": "string"}}
                    ],
                    "responses": {"200": {"description": "Successful response", "content": {"application/json": {
                        "schema": {"type": "object", "properties": {"group": {"$ref": "#/components/schemas/Group"}}}
                    }}}}
                }
            }
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "parameters": {
                "organizationName": org_param("organizationName"),
                "databaseName": {"name": "databaseName", "in": "path", "required": true,
                    "schema": {"$ref": "#/components/schemas/Database/properties/Name"}}
            },
            "requestBodies": {
                "CreateDatabase": {"required": true, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/CreateDatabaseInput"}
                }}}
            },
            "responses": {
                "NotFound": {"description": "Not Found", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"error": {"type": "string"}}
                }}}},
                "Conflict": {"description": "Conflict", "content": {"application/json": {"schema": {
                    "type": "object", "properties": {"error": {"type": "string"}}
                }}}}
            },
            "schemas": {
                "Database": {"type": "object", "properties": {
                    "Name": {"type": "string", "example": "my-db"},
                    "DbId": {"type": "string"},
                    "Hostname": {"type": "string"},
                    "type": {"type": "string", "enum": ["logical"]},
                    "regions": {"type": "array", "items": {"type": "string"}}
                }},
                "CreateDatabaseInput": {"type": "object", "required": ["name", "group"], "properties": {
                    "name": {"type": "string"},
                    "group": {"type": "string"},
                    "seed": {"type": "object", "properties": {
                        "type": {"type": "string", "enum": ["database", "dump"]},
                        "name": {"type": "string"}
                    }}
                }},
                "Extensions": {"oneOf": [
                    {"type": "string", "enum": ["all"]},
                    {"type": "array", "items": {"type": "string", "enum": ["vector", "crypto"]}}
                ]},
                "BaseGroup": {"type": "object", "properties": {
                    "name": {"type": "string"},
                    "locations": {"type": "array", "items": {"type": "string"}}
                }},
                "Group": {"allOf": [{"$ref": "#/components/schemas/BaseGroup"}, {}]}
            }
        }
    })
}

/// The newer document.
fn new_spec() -> Value {
    let mut spec = old_spec();
    let text = spec
        .to_string()
        .replace("organizationName", "organizationSlug");
    spec = serde_json::from_str(&text).unwrap_or(Value::Null);

    let paths = &mut spec["paths"];
    let list = &mut paths["/v1/organizations/{organizationSlug}/databases"]["get"];
    // `schema` query parameter dropped, `parent` added.
    list["parameters"] = json!([
        {"$ref": "#/components/parameters/organizationSlug"},
        {"name": "group", "in": "query", "schema": {"type": "string"}},
        {"name": "parent", "in": "query", "schema": {"type": "string"}}
    ]);
    // The live API answers 400 to a duplicate create; the spec documents it.
    paths["/v1/organizations/{organizationSlug}/databases"]["post"]["responses"]["400"] =
        json!({"$ref": "#/components/responses/Conflict"});
    // Delete finally gets an operationId.
    paths["/v1/organizations/{organizationSlug}/databases/{databaseName}"]["delete"]["operationId"] =
        json!("deleteDatabase");
    // A new operation.
    paths["/v1/organizations/{organizationSlug}/databases/{databaseName}/usage"] = json!({
        "get": {"operationId": "getDatabaseUsage",
            "parameters": [
                {"$ref": "#/components/parameters/organizationSlug"},
                {"$ref": "#/components/parameters/databaseName"}
            ],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/DatabaseUsage"}}}}}}
    });

    let schemas = &mut spec["components"]["schemas"];
    // Database: a new property, a new enum value, a nullable hostname.
    schemas["Database"]["properties"]["archived"] = json!({"type": "boolean"});
    schemas["Database"]["properties"]["type"]["enum"] = json!(["logical", "schema"]);
    schemas["Database"]["properties"]["Hostname"]["nullable"] = json!(true);
    // Create: an optional property and a new seed type.
    schemas["CreateDatabaseInput"]["properties"]["size_limit"] = json!({"type": "string"});
    schemas["CreateDatabaseInput"]["properties"]["seed"]["properties"]["type"]["enum"] =
        json!(["database", "dump", "database_upload"]);
    // Group: a new member property via BaseGroup.
    schemas["BaseGroup"]["properties"]["archived"] = json!({"type": "boolean"});
    schemas["DatabaseUsage"] =
        json!({"type": "object", "properties": {"rows_read": {"type": "integer"}}});
    spec
}

const LIST: &str = "GET /v1/organizations/{organizationSlug}/databases";
const CREATE: &str = "POST /v1/organizations/{organizationSlug}/databases";
const GET: &str = "GET /v1/organizations/{organizationSlug}/databases/{databaseName}";
const DELETE: &str = "DELETE /v1/organizations/{organizationSlug}/databases/{databaseName}";
const GROUP: &str = "GET /v1/organizations/{organizationSlug}/groups/{groupName}";
const JSON_200: &str = "responses/200/content/application~1json/schema";

#[test]
fn turso_like_evolution() {
    let report = diff(&old_spec(), &new_spec());
    let got: Vec<(String, Severity, String, String)> = report
        .changes
        .iter()
        .map(|c| {
            (
                c.id.clone(),
                c.severity,
                c.operation.clone().unwrap_or_default(),
                c.path.clone(),
            )
        })
        .collect();
    let at = |location: &str, inner: &str| format!("{location} {inner}");
    let db = |location: &str, root: &str, prop: &str| {
        format!("{location} {JSON_200}/properties/{root}/properties/{prop}")
    };
    let list_db =
        |prop: &str| format!("{LIST} {JSON_200}/properties/databases/items/properties/{prop}");
    use Severity::{Breaking as B, Info as I, NonBreaking as N};
    let want: Vec<(String, Severity, String, String)> = vec![
        (
            "operation-id-changed",
            B,
            "deleteDatabase",
            DELETE.to_owned(),
        ),
        (
            "path-parameter-renamed",
            B,
            "deleteDatabase",
            at(DELETE, "parameters/path/organizationSlug"),
        ),
        (
            "path-parameter-renamed",
            B,
            "getDatabase",
            at(GET, "parameters/path/organizationSlug"),
        ),
        (
            "response-property-added",
            N,
            "getDatabase",
            db(GET, "database", "archived"),
        ),
        (
            "response-property-became-nullable",
            B,
            "getDatabase",
            db(GET, "database", "Hostname"),
        ),
        (
            "response-property-enum-value-added",
            B,
            "getDatabase",
            db(GET, "database", "type"),
        ),
        (
            "operation-added",
            N,
            "getDatabaseUsage",
            format!("{GET}/usage"),
        ),
        (
            "path-parameter-renamed",
            B,
            "listDatabases",
            at(LIST, "parameters/path/organizationSlug"),
        ),
        (
            "request-parameter-added-optional",
            N,
            "listDatabases",
            at(LIST, "parameters/query/parent"),
        ),
        (
            "request-parameter-removed",
            B,
            "listDatabases",
            at(LIST, "parameters/query/schema"),
        ),
        (
            "response-property-added",
            N,
            "listDatabases",
            list_db("archived"),
        ),
        (
            "response-property-became-nullable",
            B,
            "listDatabases",
            list_db("Hostname"),
        ),
        (
            "response-property-enum-value-added",
            B,
            "listDatabases",
            list_db("type"),
        ),
        (
            "path-parameter-renamed",
            B,
            "getGroup",
            at(GROUP, "parameters/path/organizationSlug"),
        ),
        (
            "response-property-added",
            N,
            "getGroup",
            at(
                GROUP,
                &format!("{JSON_200}/properties/group/allOf/0/properties/archived"),
            ),
        ),
        (
            "path-parameter-renamed",
            B,
            "createDatabase",
            at(CREATE, "parameters/path/organizationSlug"),
        ),
        (
            "request-property-added",
            N,
            "createDatabase",
            at(
                CREATE,
                "requestBody/content/application~1json/schema/properties/size_limit",
            ),
        ),
        (
            "request-property-enum-value-added",
            N,
            "createDatabase",
            at(
                CREATE,
                "requestBody/content/application~1json/schema/properties/seed/properties/type",
            ),
        ),
        (
            "response-error-status-added",
            N,
            "createDatabase",
            at(CREATE, "responses/400"),
        ),
        (
            "response-property-added",
            N,
            "createDatabase",
            db(CREATE, "database", "archived"),
        ),
        (
            "response-property-became-nullable",
            B,
            "createDatabase",
            db(CREATE, "database", "Hostname"),
        ),
        (
            "response-property-enum-value-added",
            B,
            "createDatabase",
            db(CREATE, "database", "type"),
        ),
        (
            "component-schema-added",
            I,
            "DatabaseUsage",
            "components/schemas/DatabaseUsage".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(id, sev, op, path)| (id.to_owned(), sev, op.to_owned(), path))
    .collect();
    // The report is ordered by path, then id.
    let mut want = want;
    want.sort_by(|a, b| (&a.3, &a.0).cmp(&(&b.3, &b.0)));
    assert_eq!(got, want, "\n{}", report.render_text());
    assert!(report.should_fail(FailOn::Breaking));
}

#[test]
fn turso_like_documents_equal_themselves() {
    assert!(diff(&old_spec(), &old_spec()).is_empty());
    assert!(diff(&new_spec(), &new_spec()).is_empty());
    assert_eq!(diff(&old_spec(), &old_spec()).render_text(), "no changes");
}

#[test]
fn json_shape() {
    let report = Report::new(vec![
        Change::new(
            "operation-id-changed",
            Severity::Breaking,
            Some("deleteDatabase".into()),
            "DELETE /v1/databases/{name}",
            "operationId `deleteDatabase` was added",
        )
        .with_sdk_note("the wire request is unchanged"),
        Change::new(
            "security-removed",
            Severity::NonBreaking,
            None,
            "security",
            "security requirements were removed",
        ),
    ]);
    assert_eq!(
        report.to_json(),
        json!({"changes": [
            {
                "id": "operation-id-changed",
                "severity": "breaking",
                "operation": "deleteDatabase",
                "path": "DELETE /v1/databases/{name}",
                "message": "operationId `deleteDatabase` was added",
                "sdk_note": "the wire request is unchanged"
            },
            {
                "id": "security-removed",
                "severity": "non-breaking",
                "operation": null,
                "path": "security",
                "message": "security requirements were removed"
            }
        ]})
    );
    // The serde representation agrees with to_json.
    assert_eq!(serde_json::to_value(&report).ok(), Some(report.to_json()));
    assert_eq!(Report::default().to_json(), json!({"changes": []}));
}

#[test]
fn json_of_a_real_diff_has_only_the_documented_keys() {
    let report = diff(&old_spec(), &new_spec());
    let json = report.to_json();
    let changes = json["changes"].as_array().cloned().unwrap_or_default();
    assert_eq!(changes.len(), report.changes.len());
    for change in changes {
        let mut keys: Vec<&str> = change
            .as_object()
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        let has_note = keys.contains(&"sdk_note");
        let mut want = vec!["id", "message", "operation", "path", "severity"];
        if has_note {
            want.push("sdk_note");
            want.sort_unstable();
        }
        assert_eq!(keys, want);
    }
}

#[test]
fn text_rendering() {
    let report = Report::new(vec![
        Change::new(
            "component-schema-added",
            Severity::Info,
            Some("Group".into()),
            "components/schemas/Group",
            "component schema `Group` was added",
        ),
        Change::new(
            "operation-id-changed",
            Severity::Breaking,
            Some("listAll".into()),
            "GET /v1/a",
            "operationId changed from `listA` to `listAll`",
        )
        .with_sdk_note("the wire request is unchanged"),
        Change::new(
            "security-added",
            Severity::Breaking,
            None,
            "security",
            "security requirements were added: bearerAuth",
        ),
    ]);
    assert_eq!(
        report.render_text(),
        "Breaking changes (2):\n\
         \x20 operation-id-changed [listAll] GET /v1/a: operationId changed from `listA` to `listAll` (SDK: the wire request is unchanged)\n\
         \x20 security-added security: security requirements were added: bearerAuth\n\
         \n\
         Info (1):\n\
         \x20 component-schema-added [Group] components/schemas/Group: component schema `Group` was added\n\
         \n\
         2 breaking, 0 non-breaking, 1 info"
    );
    assert_eq!(Report::default().render_text(), "no changes");
    let text = diff(&old_spec(), &new_spec()).render_text();
    assert!(text.starts_with("Breaking changes ("), "{text}");
    assert!(
        text.ends_with("13 breaking, 9 non-breaking, 1 info"),
        "{text}"
    );
    assert_eq!(text.lines().filter(|l| l.starts_with("  ")).count(), 23);
}
