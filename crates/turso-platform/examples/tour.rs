//! A tour of the Turso Platform API through the `turso-platform` SDK.
//!
//! ```text
//! cargo run -p turso-platform --example tour
//! ```
//!
//! It provisions a group and a database, waits until the database serves
//! queries, and then queries it through its data plane with the official
//! `libsql` client: creates a table, writes rows and reads them back.
//!
//! Without `TURSO_API_TOKEN` the tour starts the embedded emulator (with the
//! provisioning delays the real service has: the Platform API's, and the data
//! plane's own after it) and runs against it. With
//! `TURSO_API_TOKEN` and `TURSO_ORG` set it runs against the real service
//! (`TURSO_API_BASEURL` overrides the URL), using unique names and always
//! cleaning up what it created. It exits non-zero on failure.

use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use turso_platform::{Client, CreateDatabase, CreateGroup, ErrorKind, Result, TokenRequest};

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    // Keep the emulator alive for the whole tour.
    let (client, emulator) = match connect().await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tour: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };

    let suffix = unique_suffix();
    let names = Names {
        group: format!("tour-{suffix}"),
        database: format!("tour-db-{suffix}"),
    };

    // Where the `libsql` client finds a database: its `libsql://` hostname on
    // the service, a loopback URL on the emulator (no DNS needed).
    let sql_url = |db: &turso_platform::Database| match &emulator {
        Some(emu) => emu.database_url(emu.organization(), &db.name),
        None => format!("libsql://{}", db.hostname.as_deref().unwrap_or_default()),
    };
    let outcome = walk(&client, &names, &sql_url).await;
    let cleanup = clean_up(&client, &names).await;
    match (outcome, cleanup) {
        (Ok(()), Ok(())) => {
            println!("\ntour finished: everything created was cleaned up");
            ExitCode::SUCCESS
        }
        (Err(e), _) => {
            eprintln!("\ntour failed: {e}");
            ExitCode::FAILURE
        }
        (Ok(()), Err(e)) => {
            eprintln!("\ntour: clean-up failed: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Names {
    group: String,
    database: String,
}

/// Real service with credentials, embedded emulator without.
async fn connect()
-> std::result::Result<(Client, Option<turso_platform_emulator::Emulator>), String> {
    if std::env::var("TURSO_API_TOKEN").is_ok_and(|t| !t.is_empty()) {
        let client = Client::from_env().map_err(|e| e.to_string())?;
        if client.default_organization().is_none() {
            return Err(
                "TURSO_API_TOKEN is set but TURSO_ORG is not: set the organization to use".into(),
            );
        }
        println!(
            "== running against {} (organization {})",
            client.base_url(),
            client.default_organization().unwrap_or_default()
        );
        return Ok((client, None));
    }
    let emulator = turso_platform_emulator::Emulator::builder()
        .provisioning_delay(Duration::from_millis(1500))
        .data_plane_delay(Duration::from_millis(1000))
        .start()
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "== no TURSO_API_TOKEN: running against the embedded emulator at {}",
        emulator.base_url()
    );
    let client = Client::builder()
        .token(emulator.token())
        .base_url(emulator.base_url())
        .organization(emulator.organization())
        .database_host_base_url(emulator.base_url())
        .build()
        .map_err(|e| e.to_string())?;
    Ok((client, Some(emulator)))
}

type TourResult = std::result::Result<(), Box<dyn std::error::Error>>;

async fn walk(
    client: &Client,
    names: &Names,
    sql_url: &dyn Fn(&turso_platform::Database) -> String,
) -> TourResult {
    let user = client.user().current().await?;
    println!("signed in as {}", user.username);

    let org = client.organizations().get().await?;
    println!(
        "organization {} ({:?}, type {}, plan {})",
        org.slug,
        org.name.as_deref().unwrap_or("-"),
        org.kind
            .as_ref()
            .map_or("-".to_string(), ToString::to_string),
        org.plan_id.as_deref().unwrap_or("-")
    );
    let members = client.members().list().await?;
    println!(
        "  {} member(s): {}",
        members.len(),
        members
            .iter()
            .map(|m| format!(
                "{} ({})",
                m.username,
                m.role.as_ref().map_or("-".to_string(), ToString::to_string)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let locations = client.locations().list().await?;
    let primary = pick(&locations, "aws-us-east-1").unwrap_or_else(|| locations[0].code.clone());
    let replica = locations
        .iter()
        .map(|l| l.code.clone())
        .find(|c| *c != primary && (c == "aws-eu-west-1" || c.starts_with("aws-eu")))
        .or_else(|| {
            locations
                .iter()
                .map(|l| l.code.clone())
                .find(|c| *c != primary)
        });
    println!(
        "{} locations; primary {primary}, replica {}",
        locations.len(),
        replica.as_deref().unwrap_or("none")
    );

    println!("\n-- group");
    let group = client
        .groups()
        .create(&CreateGroup::new(&names.group, &primary))
        .await?;
    println!(
        "created group {} (primary {}, uuid {})",
        group.name,
        group.primary.as_deref().unwrap_or("-"),
        group.uuid
    );

    println!("\n-- database");
    let ensured = client
        .databases()
        .create_if_missing(&CreateDatabase::new(&names.database, &names.group))
        .await?;
    println!(
        "{} database {} at {}",
        if ensured.was_created() {
            "created"
        } else {
            "found"
        },
        ensured.name,
        ensured.hostname.as_deref().unwrap_or("-")
    );
    print!("waiting until it serves queries (new databases answer 404 for a while) ... ");
    std::io::Write::flush(&mut std::io::stdout()).ok();
    let started = std::time::Instant::now();
    let db = client
        .databases()
        .wait_until_serving(&names.database, Duration::from_secs(120))
        .await?;
    println!(
        "serving after {:.1}s (id {})",
        started.elapsed().as_secs_f64(),
        db.id
    );
    let again = client
        .databases()
        .create_if_missing(&CreateDatabase::new(&names.database, &names.group))
        .await?;
    println!(
        "create_if_missing again: created = {} (idempotent)",
        again.was_created()
    );

    let config = client.databases().configuration(&db.name).await?;
    println!(
        "configuration: delete protection {}, size limit {:?}",
        config.delete_protection, config.size_limit
    );

    println!("\n-- instances");
    let instances = client.databases().instances(&db.name);
    for i in instances.list().await? {
        println!(
            "  {} {} in {} ({})",
            kind(&i),
            i.name,
            i.location(),
            i.hostname.as_deref().unwrap_or("-")
        );
    }
    if let Some(replica) = &replica {
        match instances.create_in_location(replica).await {
            Ok(i) => {
                println!(
                    "added a replica: {} {} in {}",
                    kind(&i),
                    i.name,
                    i.location()
                );
                let primary_refused = instances.destroy_replicas_in(&primary).await;
                if let Err(e) = &primary_refused {
                    println!(
                        "destroying in the primary location is refused: {}",
                        e.message().unwrap_or_default()
                    );
                }
                let gone = instances.destroy_replicas_in(replica).await?;
                println!("destroyed {} replica(s) in {replica}", gone.len());
            }
            Err(e) if matches!(e.kind(), ErrorKind::BadRequest | ErrorKind::Forbidden) => {
                println!("could not add a replica here ({e}); skipping");
            }
            Err(e) => return Err(e.into()),
        }
    }

    println!("\n-- SQL through the data plane (the official libsql client)");
    let sql_token = client
        .databases()
        .create_token(
            &db.name,
            &TokenRequest::new()
                .full_access()
                .expires_in(Duration::from_secs(3600)),
        )
        .await?;
    let database = libsql::Builder::new_remote(sql_url(&db), sql_token.expose().to_string())
        .build()
        .await?;
    let conn = database.connect()?;
    conn.execute(
        "CREATE TABLE IF NOT EXISTS tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL, seats INTEGER)",
        (),
    )
    .await?;
    for (name, seats) in [("acme", 12), ("globex", 40), ("initech", 7)] {
        conn.execute(
            "INSERT INTO tenants (name, seats) VALUES (?1, ?2)",
            libsql::params![name, seats],
        )
        .await?;
    }
    let mut rows = conn
        .query(
            "SELECT id, name, seats FROM tenants ORDER BY seats DESC",
            (),
        )
        .await?;
    while let Some(row) = rows.next().await? {
        println!(
            "  tenant {} {:<8} {} seats",
            row.get::<i64>(0)?,
            row.get::<String>(1)?,
            row.get::<i64>(2)?
        );
    }

    println!("\n-- tokens");
    let token = client
        .databases()
        .create_token(
            &db.name,
            &TokenRequest::new()
                .read_only()
                .expires_in(Duration::from_secs(3600)),
        )
        .await?;
    println!(
        "minted a read-only database token valid for 1h: {token} ({} characters)",
        token.expose().len()
    );
    client.databases().invalidate_tokens(&db.name).await?;
    println!("rotated the database's tokens (the ones above are now invalid)");
    let refused = database
        .connect()?
        .query("SELECT count(*) FROM tenants", ())
        .await;
    println!(
        "a query with the rotated SQL token: {}",
        match refused {
            Ok(_) => "still accepted (the service may take a moment to rotate)".to_string(),
            Err(e) => format!("refused ({e})"),
        }
    );

    println!("\n-- usage");
    let usage = client.databases().usage(&db.name).await?;
    println!(
        "this month: {} rows read, {} rows written, {} bytes stored",
        usage.total.rows_read, usage.total.rows_written, usage.total.storage_bytes
    );

    println!("\n-- audit log (newest first)");
    let entries: Vec<_> = client.audit_logs().stream(20).try_collect().await?;
    for e in entries.iter().take(6) {
        println!(
            "  {} {:<18} by {}",
            e.created_at.as_deref().unwrap_or("-"),
            e.code.as_ref().map_or("-".to_string(), ToString::to_string),
            e.author.as_deref().unwrap_or("-")
        );
    }
    println!("  ({} entries in all)", entries.len());
    Ok(())
}

fn pick(locations: &[turso_platform::Location], code: &str) -> Option<String> {
    locations
        .iter()
        .find(|l| l.code == code)
        .map(|l| l.code.clone())
}

/// Deletes what the tour created; "not found" means there is nothing to delete.
async fn clean_up(client: &Client, names: &Names) -> Result<()> {
    println!("\n-- clean-up");
    match client.databases().delete(&names.database).await {
        Ok(deleted) => println!("deleted database {}", deleted.id),
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e),
    }
    match client.groups().delete(&names.group).await {
        Ok(deleted) => println!("deleted group {}", deleted.id),
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e),
    }
    Ok(())
}

fn unique_suffix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut n = (nanos / 1000) as u64 ^ u64::from(std::process::id());
    let mut out = String::new();
    while n > 0 && out.len() < 8 {
        let d = (n % 36) as u32;
        out.push(std::char::from_digit(d, 36).unwrap_or('0'));
        n /= 36;
    }
    out
}

/// An instance's kind as the tour prints it (`-` when the service did not say).
fn kind(i: &turso_platform::Instance) -> String {
    i.kind.as_ref().map_or("-".to_string(), ToString::to_string)
}
