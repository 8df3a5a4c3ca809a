//! Credentials: conversion from every engine's generated shape, connection
//! strings (escaping, IPv6, TLS), and redaction in every printed form.

use super::*;

const PASSWORD: &str = "s3cr:t@/p#ss?";

fn generated(json: serde_json::Value) -> types::Credentials {
    serde_json::from_value(json).expect("a valid credentials document")
}

fn postgres() -> Credentials {
    Credentials::try_from(generated(serde_json::json!({
        "db_type": "postgresql", "host": "main-postgres.production.svc", "port": 5432,
        "username": "app_user", "password": PASSWORD, "database": "main_postgres",
        "ssl_mode": "require", "connection_string": "postgresql://...",
    })))
    .unwrap()
}

#[test]
fn postgresql_credentials_build_an_escaped_connection_string() {
    let c = postgres();
    assert_eq!(c.engine(), Engine::Postgresql);
    assert_eq!((c.host(), c.port()), ("main-postgres.production.svc", 5432));
    assert_eq!(c.username(), Some("app_user"));
    assert_eq!(c.password().expose(), PASSWORD);
    assert_eq!(
        c.connection_string().expose(),
        "postgresql://app_user:s3cr%3At%40%2Fp%23ss%3F@main-postgres.production.svc:5432/main_postgres?sslmode=require"
    );
    assert_eq!(c.service_connection_string().expose(), "postgresql://...");
}

#[test]
fn mysql_redis_and_mongodb_have_their_own_shapes() {
    let mysql = Credentials::try_from(generated(serde_json::json!({
        "db_type": "mysql", "host": "orders-mysql.production.svc", "port": 3306,
        "username": "app_user", "password": "pw", "database": "orders_mysql",
        "ssl_mode": "verify_ca", "connection_string": "mysql://x",
    })))
    .unwrap();
    assert_eq!(mysql.engine(), Engine::Mysql);
    assert_eq!(
        mysql.connection_string().expose(),
        "mysql://app_user:pw@orders-mysql.production.svc:3306/orders_mysql?ssl-mode=VERIFY_CA"
    );

    let redis = Credentials::try_from(generated(serde_json::json!({
        "db_type": "redis", "host": "::1", "port": 6379, "password": "pw",
        "connection_string": "rediss://:pw@[::1]:6379",
    })))
    .unwrap();
    assert_eq!(redis.engine(), Engine::Redis);
    assert_eq!(redis.username(), None);
    assert_eq!(
        redis.connection_string().expose(),
        "rediss://:pw@[::1]:6379"
    );

    let mongo = Credentials::try_from(generated(serde_json::json!({
        "db_type": "mongodb", "host": "events-mongo.production.svc", "port": 27017,
        "username": "app_user", "password": "pw", "database": "events_mongo",
        "connection_string": "mongodb://app_user:pw@events-mongo.production.svc:27017/events_mongo?authSource=admin&tls=true",
    })))
    .unwrap();
    assert_eq!(mongo.engine(), Engine::Mongodb);
    assert_eq!(
        mongo.connection_string().expose(),
        mongo.service_connection_string().expose()
    );
}

#[test]
fn a_port_beyond_tcp_is_a_decode_error_that_quotes_nothing() {
    let e = Credentials::try_from(generated(serde_json::json!({
        "db_type": "redis", "host": "h", "port": 70000, "password": PASSWORD,
        "connection_string": "redis://x",
    })))
    .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains(PASSWORD));
}

#[test]
fn passwords_and_connection_strings_never_print() {
    let c = postgres();
    let printed = format!(
        "{c:?} {:?} {} {:?} {}",
        c.connection_string(),
        c.connection_string(),
        c.password(),
        c.password()
    );
    assert!(!printed.contains(PASSWORD), "{printed}");
    assert!(!printed.contains("s3cr"), "{printed}");
    assert!(printed.contains("ConnectionString(Token(****))"));
    assert!(printed.contains("ConnectionString(****)"));
}

#[test]
fn redacted_connection_strings_keep_everything_but_the_password() {
    let redacted = postgres().connection_string().redacted();
    assert_eq!(
        redacted,
        "postgresql://app_user:****@main-postgres.production.svc:5432/main_postgres?sslmode=require"
    );
    assert_eq!(
        ConnectionString::new("redis://:pw@h:1").redacted(),
        "redis://:****@h:1"
    );
    assert_eq!(
        ConnectionString::new("redis://h:1/0").redacted(),
        "redis://h:1/0"
    );
    assert_eq!(ConnectionString::new("garbage pw").redacted(), "****");
}
