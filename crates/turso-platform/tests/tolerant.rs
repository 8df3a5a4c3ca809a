//! One odd item never fails a list: an item with a value of the wrong type
//! keeps its other fields, an item that cannot be identified is skipped, and
//! the others are returned. An answer whose own identity is missing is a
//! `Decode` error naming the field.

use crate::common::mock::{Mock, Reply};
use turso_platform::{Client, ErrorKind, RetryPolicy, Role};

fn client(mock: &Mock) -> Client {
    Client::builder()
        .token("t")
        .base_url(&mock.base_url)
        .organization("acme")
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn one_odd_database_never_fails_the_listing() {
    let mock = Mock::start().await;
    mock.push(Reply::json(
        200,
        r#"{"databases":[
            {"Name":"a","DbId":"1","Hostname":"a.turso.io","group":"default","regions":["otp"],"block_reads":"no","sleeping":null},
            {"DbId":"2","Hostname":"nameless.turso.io","group":"default"},
            {"Name":"c","DbId":"3","group":7,"primaryRegion":["otp"]},
            "not a database",
            {"Name":"d","DbId":"4","Hostname":"d.turso.io","regions":"otp","parent":{"id":"1","branched_at":"yesterday"}}
        ]}"#,
    ));
    let dbs = client(&mock).databases().list().await.unwrap();
    let names: Vec<&str> = dbs.iter().map(|d| d.name.as_str()).collect();
    // "nameless" (no Name) and the string are skipped; the others are kept.
    assert_eq!(names, ["a", "c", "d"]);
    // A wrong type reads as absent, its neighbours stay.
    assert_eq!(dbs[0].hostname.as_deref(), Some("a.turso.io"));
    assert_eq!(dbs[0].regions, ["otp"]);
    assert!(!dbs[0].block_reads && !dbs[0].sleeping);
    // A missing non-identity field is None.
    assert_eq!(
        (dbs[1].hostname.as_deref(), dbs[1].group.as_deref()),
        (None, None)
    );
    assert_eq!(dbs[1].primary_region, None);
    // A malformed date in a nested object loses only that value.
    assert!(dbs[2].regions.is_empty());
    assert_eq!(
        dbs[2].parent.as_ref().and_then(|p| p.id.as_deref()),
        Some("1")
    );
}

#[tokio::test]
async fn one_odd_member_never_fails_the_listing() {
    let mock = Mock::start().await;
    mock.push(Reply::json(
        200,
        r#"{"members":[{"username":"ann","role":7},{"role":"admin"},{"username":"bob","role":"owner","email":false}]}"#,
    ));
    let members = client(&mock).members().list().await.unwrap();
    let got: Vec<(&str, Option<&Role>)> = members
        .iter()
        .map(|m| (m.username.as_str(), m.role.as_ref()))
        .collect();
    assert_eq!(got, [("ann", None), ("bob", Some(&Role::Owner))]);
}

#[tokio::test]
async fn an_answer_without_its_identity_names_the_missing_field() {
    let mock = Mock::start().await;
    mock.push(Reply::json(
        200,
        r#"{"database":{"DbId":"1","Hostname":"a.turso.io","group":"default"}}"#,
    ));
    let e = client(&mock).databases().get("a").await.unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e:?}");
    assert_eq!(e.message(), Some("database: missing field `Name`"));
    assert_eq!(e.operation(), Some("getDatabase"));

    let mock = Mock::start().await;
    mock.push(Reply::json(200, r#"{"database":{"Name":null,"DbId":"1"}}"#));
    let e = client(&mock).databases().get("a").await.unwrap_err();
    assert!(
        e.message()
            .unwrap()
            .starts_with("database.Name: invalid type: null"),
        "{e:?}"
    );
}
