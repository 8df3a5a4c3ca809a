//! The core's validator on the Turso Platform API's effective spec: every
//! operation compiles, and its shapes (nullable fields, required bodies)
//! are checked as the spec says.

use serde_json::json;
use turso_platform_emulator::validate::Spec;

fn spec() -> Spec {
    Spec::load_with_error_schema(
        turso_platform_generated::EFFECTIVE_SPEC_JSON,
        "ErrorResponse",
    )
    .expect("spec loads")
}

#[test]
fn loads_all_operations() {
    let root: serde_json::Value =
        serde_json::from_str(turso_platform_generated::EFFECTIVE_SPEC_JSON).expect("JSON");
    let documented = root["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().into_iter().flat_map(|m| m.values()))
        .filter(|op| op.get("operationId").is_some())
        .count();
    assert!(documented >= 49, "{documented}");
    assert_eq!(spec().operations.len(), documented);
}

#[test]
fn catches_a_wrong_response_shape() {
    let s = spec();
    let bad = json!({"database": {"Name": 42, "DbId": "i", "Hostname": "h", "group": "g"}});
    let err = s
        .check_response("getDatabase", 200, Some(&bad))
        .expect_err("Name must be a string");
    assert!(err.starts_with("$.database.Name:"), "{err}");
    let good = json!({"database": {"Name": "x", "DbId": "i", "Hostname": "h", "group": "g", "parent": null}});
    s.check_response("getDatabase", 200, Some(&good))
        .expect("valid");
    assert!(
        s.check_response("invalidateDatabaseTokens", 200, Some(&good))
            .is_err()
    );
    assert!(
        s.check_response("invalidateDatabaseTokens", 200, None)
            .is_ok()
    );
    assert!(
        s.check_response("getDatabase", 404, Some(&json!({"nope": 1})))
            .is_err()
    );
    assert!(
        s.check_response("getDatabase", 401, Some(&json!({"error": "x"})))
            .is_ok()
    );
}

#[test]
fn handles_nullable() {
    let s = spec();
    // `parent` is `nullable: true, type: object`.
    let with_null = json!({"databases": [{"Name": "a", "DbId": "i", "Hostname": "h", "group": "g", "parent": null}], "pagination": {"next": null}});
    s.check_response("listDatabases", 200, Some(&with_null))
        .expect("null admitted");
    let wrong = json!({"databases": [{"Name": "a", "DbId": "i", "Hostname": "h", "group": "g", "parent": "x"}]});
    assert!(
        s.check_response("listDatabases", 200, Some(&wrong))
            .is_err()
    );
    // `databases` quota is a nullable integer.
    let plans = json!({"plans": [{"name": "pro", "quotas": {"databases": null}}]});
    s.check_response("listOrganizationPlans", 200, Some(&plans))
        .expect("nullable integer");
}

#[test]
fn checks_request_bodies() {
    let s = spec();
    let err = s
        .check_request("createDatabase", br#"{"name": "x"}"#)
        .expect_err("group is required");
    assert!(err.starts_with("$:"), "{err}");
    assert!(s.check_request("createDatabase", b"").is_err());
    assert!(s.check_request("createDatabase", b"{").is_err());
    assert!(
        s.check_request("createAPIToken", b"")
            .expect("optional")
            .is_none()
    );
    let err = s
        .check_request("createDatabase", br#"{"name": "x", "group": 3}"#)
        .expect_err("wrong type");
    assert!(err.starts_with("$.group:"), "{err}");
}
