//! A real `redis-server` behind a `redis` database: the credentials connect
//! with the `redis` crate, only with the password, and after the delete the
//! port refuses.

use databases_api_emulator::engines::{Setup, Started};
use databases_api_emulator::{Engine, Secret};
use redis::AsyncCommands;

#[tokio::test]
#[ignore = "needs a real redis-server: .ci/run installs the engines and runs the ignored real_engines tests"]
async fn redis_serves_its_credentials_then_refuses_after_delete() {
    let engines = super::engines_for(Engine::Redis);
    let setup = Setup::new("cache_redis", "app_user", Secret::generate()).unwrap();
    let Started::Real(instance) = engines.start(Engine::Redis, &setup).await.unwrap() else {
        panic!("redis-server is installed, so it must start for real");
    };
    let credentials = instance.credentials().clone();
    assert_eq!(
        (
            credentials.username.as_deref(),
            credentials.database.as_deref()
        ),
        (None, None)
    );
    assert!(
        instance.server_version().contains("Redis"),
        "{}",
        instance.server_version()
    );

    let client = redis::Client::open(credentials.connection_string.expose()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let () = conn.set("order:1", "tea").await.unwrap();
    let () = conn.rpush("queue", &["a", "b"]).await.unwrap();
    let item: String = conn.get("order:1").await.unwrap();
    assert_eq!(item, "tea");
    let queue: Vec<String> = conn.lrange("queue", 0, -1).await.unwrap();
    assert_eq!(queue, ["a", "b"]);

    // Without the password, nothing is served.
    let anonymous = redis::Client::open(format!("redis://127.0.0.1:{}", credentials.port)).unwrap();
    let mut anonymous = anonymous.get_multiplexed_async_connection().await.unwrap();
    let refused: redis::RedisResult<Option<String>> = anonymous.get("order:1").await;
    let err = refused.expect_err("a client without the password must be refused");
    assert!(err.to_string().contains("NOAUTH"), "{err}");

    let dir = instance.dir().to_path_buf();
    drop((conn, anonymous));
    instance.stop().await.unwrap();
    assert!(!dir.exists(), "its data must be removed");
    assert!(client.get_multiplexed_async_connection().await.is_err());
    assert!(super::refuses_connections(credentials.port).await);
}
