//! Credentials: the shape picked from `db_type`, the scheme or the database,
//! connection strings (escaping, IPv6, TLS, `mongodb+srv`, MySQL's for
//! `mysql_async`), unknown engines, and redaction in every printed form.

use super::*;

const PASSWORD: &str = "s3cr:t@/p#ss?";

fn generated(json: serde_json::Value) -> types::Credentials {
    serde_json::from_value(json).expect("a valid credentials document")
}

/// Credentials as the facade reads them: the shape the answer names, else
/// `database_engine`.
fn read(json: serde_json::Value, database_engine: Option<Engine>) -> Credentials {
    let answer = generated(json);
    let engine = Credentials::engine_named_by(&answer).or(database_engine);
    Credentials::from_answer(answer, engine).expect("readable credentials")
}

fn postgres() -> Credentials {
    read(
        serde_json::json!({
            "host": "main-postgres.production.svc", "port": 5432,
            "username": "app_user", "password": PASSWORD, "database": "main_postgres",
            "ssl_mode": "require", "connection_string": "postgresql://...",
        }),
        None,
    )
}

fn built(c: &Credentials) -> String {
    c.connection_string()
        .expect("a connection string")
        .expose()
        .to_string()
}

#[test]
fn postgresql_credentials_build_an_escaped_connection_string() {
    let c = postgres();
    assert_eq!(c.engine(), Some(Engine::Postgresql), "from the scheme");
    assert_eq!((c.host(), c.port()), ("main-postgres.production.svc", 5432));
    assert_eq!(c.username(), Some("app_user"));
    assert_eq!(c.password().map(Token::expose), Some(PASSWORD));
    assert_eq!(
        built(&c),
        "postgresql://app_user:s3cr%3At%40%2Fp%23ss%3F@main-postgres.production.svc:5432/main_postgres?sslmode=require"
    );
    assert_eq!(
        c.service_connection_string().map(ConnectionString::expose),
        Some("postgresql://...")
    );
}

#[test]
fn the_shape_comes_from_db_type_then_the_scheme_then_the_database() {
    let fields = serde_json::json!({
        "host": "h", "port": 3306, "username": "u", "password": "pw", "database": "d",
        "ssl_mode": "required",
    });
    // Neither db_type nor a connection string: the database's engine decides.
    assert_eq!(
        read(fields.clone(), Some(Engine::Mysql)).engine(),
        Some(Engine::Mysql)
    );
    // db_type wins over the database's engine.
    let mut named = fields.clone();
    named["db_type"] = "postgresql".into();
    assert_eq!(
        read(named, Some(Engine::Mysql)).engine(),
        Some(Engine::Postgresql)
    );
    // The scheme, in any case.
    let mut schemed = fields.clone();
    schemed["connection_string"] = "MySQL://u:pw@h:3306/d".into();
    assert_eq!(read(schemed, None).engine(), Some(Engine::Mysql));
    // Nothing says: Other, with host, port and every field.
    let other = read(fields, None);
    let Credentials::Other(o) = &other else {
        panic!("{other:?}")
    };
    assert_eq!(
        (o.engine.clone(), o.ssl_mode.as_deref()),
        (None, Some("required"))
    );
    assert_eq!(
        (other.host(), other.port(), other.database()),
        ("h", 3306, Some("d"))
    );
    assert_eq!(other.connection_string(), None, "none was sent");
}

#[test]
fn an_unknown_engine_keeps_host_port_and_the_service_string() {
    let c = read(
        serde_json::json!({
            "db_type": "cassandra", "host": "ring.svc", "port": 9042, "password": "pw",
            "connection_string": "cassandra://:pw@ring.svc:9042", "replication": {"factor": 3},
        }),
        None,
    );
    assert_eq!(c.engine(), Some(Engine::Other("cassandra".into())));
    assert_eq!((c.host(), c.port()), ("ring.svc", 9042));
    assert_eq!(built(&c), "cassandra://:pw@ring.svc:9042");
}

#[test]
fn mysql_strings_carry_what_mysql_async_reads() {
    let mysql = |mode: Option<&str>| {
        let mut json = serde_json::json!({
            "host": "orders-mysql.production.svc", "port": 3306, "username": "app_user",
            "password": "pw", "database": "orders_mysql", "connection_string": "mysql://x",
        });
        if let Some(mode) = mode {
            json["ssl_mode"] = mode.into();
        }
        built(&read(json, None))
    };
    let plain = "mysql://app_user:pw@orders-mysql.production.svc:3306/orders_mysql";
    assert_eq!(mysql(None), plain);
    assert_eq!(mysql(Some("disabled")), plain);
    assert_eq!(mysql(Some("preferred")), plain);
    assert_eq!(
        mysql(Some("required")),
        format!("{plain}?require_ssl=true&verify_ca=false&verify_identity=false")
    );
    assert_eq!(
        mysql(Some("verify_ca")),
        format!("{plain}?require_ssl=true&verify_identity=false")
    );
    assert_eq!(
        mysql(Some("verify_identity")),
        format!("{plain}?require_ssl=true")
    );
    assert_eq!(
        mysql(Some("strange")),
        format!("{plain}?require_ssl=true"),
        "safe reading"
    );
}

#[test]
fn redis_and_mongodb_have_their_own_shapes() {
    let redis = read(
        serde_json::json!({
            "host": "::1", "port": 6379, "password": "pw",
            "connection_string": "rediss://:pw@[::1]:6379",
        }),
        None,
    );
    assert_eq!(redis.engine(), Some(Engine::Redis));
    assert_eq!(redis.username(), None);
    assert_eq!(built(&redis), "rediss://:pw@[::1]:6379");

    let mongo = read(
        serde_json::json!({
            "db_type": "mongodb", "host": "events-mongo.production.svc", "port": 27017,
            "username": "app_user", "password": "pw", "database": "events_mongo",
            "connection_string": "mongodb://app_user:pw@events-mongo.production.svc:27017/events_mongo?authSource=admin&tls=true",
        }),
        None,
    );
    assert_eq!(mongo.engine(), Some(Engine::Mongodb));
    assert_eq!(
        Some(built(&mongo).as_str()),
        mongo
            .service_connection_string()
            .map(ConnectionString::expose)
    );
}

#[test]
fn mongodb_srv_strings_stay_srv() {
    let service =
        "mongodb+srv://app_user:pw@events.example.net/events_mongo?authSource=admin&tls=true";
    let mongo = read(
        serde_json::json!({
            "host": "events.example.net", "port": 27017, "username": "app_user",
            "password": "pw", "database": "events_mongo", "connection_string": service,
        }),
        None,
    );
    let Credentials::Mongodb(fields) = &mongo else {
        panic!("{mongo:?}")
    };
    assert!(fields.srv);
    // SRV strings have no port: the servers come from DNS.
    assert_eq!(built(&mongo), service);
}

#[test]
fn missing_fields_are_none_and_strings_are_built_without_them() {
    let c = read(
        serde_json::json!({"host": "h", "port": 5432, "connection_string": "postgresql://h"}),
        None,
    );
    assert_eq!(
        (c.username(), c.password(), c.database()),
        (None, None, None)
    );
    assert_eq!(built(&c), "postgresql://h:5432/");
}

#[test]
fn a_port_beyond_tcp_is_a_decode_error_that_quotes_nothing() {
    for port in [70000, 0, -1] {
        let answer = generated(serde_json::json!({
            "host": "h", "port": port, "password": PASSWORD, "connection_string": "redis://x",
        }));
        let e = Credentials::from_answer(answer, None).unwrap_err();
        assert!(matches!(e.kind(), ErrorKind::Decode { .. }), "{e:?}");
        assert!(!format!("{e} {e:?}").contains(PASSWORD));
    }
}

#[test]
fn passwords_and_connection_strings_never_print() {
    let c = postgres();
    let url = c.connection_string().unwrap();
    let printed = format!("{c:?} {url:?} {url} {:?}", c.password());
    assert!(!printed.contains(PASSWORD), "{printed}");
    assert!(!printed.contains("s3cr"), "{printed}");
    assert!(printed.contains("ConnectionString(Token(****))"));
    assert!(printed.contains("ConnectionString(****)"));
}

#[test]
fn redacted_connection_strings_keep_everything_but_the_password() {
    let redacted = postgres().connection_string().unwrap().redacted();
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
