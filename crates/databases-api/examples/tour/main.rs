//! A tour of the Databases API through the `databases-api` SDK: engines and
//! versions checked before sending, an idempotent create, the wait until
//! running, typed credentials whose secrets never print, typed errors, and a
//! clean-up that always runs.
//!
//! ```text
//! cargo run -p databases-api --example databases_tour
//! ```
//!
//! With `DATABASES_API_TOKEN` set it runs against the real service
//! (`DATABASES_API_BASEURL`, default `http://localhost:8080`; the tour's
//! databases use the plan `DATABASES_API_TOUR_PLAN`, default
//! `db-s-1vcpu-1gb`, in `DATABASES_API_TOUR_REGION`, default `nyc1`), on
//! uniquely named databases it deletes again.
//!
//! Without it, the tour starts the embedded emulator (`databases-api-emulator`)
//! with real engines: the PostgreSQL and Redis databases it creates are real
//! local servers where their programs are installed (the emulator says which
//! engines it simulates otherwise), and the credentials it prints connect.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use databases_api::{Client, CreateDatabase, Credentials, Engine, ErrorKind, Result, Version};

#[tokio::main]
async fn main() -> ExitCode {
    // RUST_LOG=debug shows the SDK's spans and retries.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let subscriber = tracing_subscriber::fmt().with_writer(std::io::stderr);
    subscriber.with_env_filter(filter).init();
    // Keep the emulator (if any) alive for the whole tour: dropping it stops
    // its servers.
    let Ok((client, _emulator)) = connect()
        .await
        .map_err(|e| eprintln!("tour: cannot start: {e}"))
    else {
        return ExitCode::FAILURE;
    };
    let plan = std::env::var("DATABASES_API_TOUR_PLAN").unwrap_or("db-s-1vcpu-1gb".into());
    let region = std::env::var("DATABASES_API_TOUR_REGION").unwrap_or("nyc1".into());
    let suffix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() % 1_000_000_000);
    let inputs = [
        CreateDatabase::new(
            format!("tour-pg-{suffix}"),
            Engine::Postgresql,
            &plan,
            &region,
        )
        .version(Version::V16),
        CreateDatabase::new(
            format!("tour-cache-{suffix}"),
            Engine::Redis,
            &plan,
            &region,
        ),
    ];
    let outcome = walk(&client, &inputs).await;
    // The clean-up runs whatever the walk did, and its failure is reported
    // after the walk's.
    let cleanup = clean_up(&client, &inputs).await;
    let failure = (outcome.err().map(|e| format!("tour failed: {e}")))
        .or_else(|| cleanup.err().map(|e| format!("tour: clean-up failed: {e}")));
    if let Some(failure) = failure {
        eprintln!("\n{failure}");
        return ExitCode::FAILURE;
    }
    println!("\ntour finished: everything it created was deleted");
    ExitCode::SUCCESS
}

/// The client the tour uses: the real service when `DATABASES_API_TOKEN` is
/// set, else the embedded emulator, returned alongside to keep it running.
async fn connect() -> std::result::Result<(Client, Option<databases_api_emulator::Emulator>), String>
{
    if databases_api::Client::builder_from_env().is_ok() {
        let client = Client::from_env().map_err(|e| e.to_string())?;
        println!("== running against {}", client.base_url());
        return Ok((client, None));
    }
    let emulator = databases_api_emulator::Emulator::builder()
        .real_engines(true)
        .provisioning_delay(Duration::from_millis(500))
        .start()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "== no DATABASES_API_TOKEN: running against the embedded emulator at {}",
        emulator.base_url()
    );
    let client = Client::builder()
        .token(emulator.token())
        .base_url(emulator.base_url())
        .build()
        .map_err(|e| e.to_string())?;
    Ok((client, Some(emulator)))
}

async fn walk(client: &Client, inputs: &[CreateDatabase; 2]) -> Result<()> {
    let dbs = client.databases();
    println!("\n-- engines and their versions (checked before anything is sent)");
    for engine in Engine::known() {
        let versions: Vec<&str> = engine.versions().iter().map(Version::as_str).collect();
        println!("  {engine}: {}", versions.join(", "));
    }
    let wrong = inputs[1].clone().version(Version::V16);
    match dbs.create(&wrong).await {
        Err(e) => println!("  redis 16 refused locally: {e}"),
        Ok(db) => println!("  redis 16 was accepted?! {}", db.id),
    }

    println!("\n-- create (idempotent by name)");
    let pg = dbs.create_if_missing(&inputs[0]).await?;
    println!(
        "  {} {} is {} (created now: {})",
        pg.name,
        pg.id,
        shown(&pg.status),
        pg.was_created()
    );
    let again = dbs.create_if_missing(&inputs[0]).await?;
    println!(
        "  again: created now: {} (same id: {})",
        again.was_created(),
        again.id == pg.id
    );
    let cache = dbs.create(&inputs[1]).await?;
    println!("  {} {} is {}", cache.name, cache.id, shown(&cache.status));
    let mut clash = inputs[0].clone();
    clash.engine = Engine::Mysql;
    clash.version = None;
    match dbs.create_if_missing(&clash).await {
        Err(e) if e.kind() == &ErrorKind::AlreadyExists => println!("  same name as mysql: {e}"),
        other => println!("  same name as mysql: unexpected {other:?}"),
    }

    println!("\n-- wait until running (at most 5 minutes each)");
    for created in [&pg.id, &cache.id] {
        let db = dbs
            .wait_until_running(created, Duration::from_secs(300))
            .await?;
        println!(
            "  {} ({} {}, {}) is {}",
            db.name,
            shown(&db.engine),
            shown(&db.version),
            shown(&db.plan_id),
            shown(&db.status)
        );
    }
    for db in dbs.list().await? {
        println!("  listed: {} {} {}", db.id, db.name, shown(&db.status));
    }

    println!("\n-- credentials (passwords and connection strings never print)");
    for name in [&inputs[0].name, &inputs[1].name] {
        let creds = dbs.credentials(name).await?;
        let shape = match &creds {
            Credentials::Postgresql(c) | Credentials::Mysql(c) => {
                format!("database {}", shown(&c.database))
            }
            Credentials::Redis(c) => format!("tls {}", c.tls),
            _ => "another engine".to_string(),
        };
        let url = creds.connection_string();
        println!(
            "  {}: {} ({shape})",
            shown(&creds.engine()),
            url.as_ref()
                .map_or("no connection string".into(), |u| u.redacted())
        );
        println!(
            "    as Debug: password {:?}, string {:?}",
            creds.password(),
            creds.connection_string()
        );
    }

    println!("\n-- delete, and the wait refuses a destroyed database");
    let gone = dbs.delete(&pg.id).await?;
    if !gone.destroyed {
        // Accepted (202): the deletion goes on.
        dbs.wait_until_destroyed(&gone.id, Duration::from_secs(300))
            .await?;
    }
    println!("  {} is destroyed", gone.id);
    match dbs
        .wait_until_running(&pg.id, Duration::from_secs(10))
        .await
    {
        Err(e) => println!("  waiting for it now: {e}"),
        Ok(db) => println!(
            "  waiting for it now: {} is {}?!",
            db.name,
            shown(&db.status)
        ),
    }
    Ok(())
}

/// A value the answer may have left out, for printing.
fn shown<T: std::fmt::Display>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "(not answered)".to_string(), T::to_string)
}

/// Deletes whatever of the tour's databases is left, by name.
async fn clean_up(client: &Client, inputs: &[CreateDatabase; 2]) -> Result<()> {
    for input in inputs {
        if let Some(db) = client.databases().find(&input.name).await? {
            client.databases().delete(&db.id).await?;
        }
    }
    Ok(())
}
