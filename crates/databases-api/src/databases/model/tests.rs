//! The local checks of a create (engine, version per engine, name, plan,
//! region, ranges) and the conversions from the generated answers.

use super::*;
use sdk_runtime::ErrorKind;

fn valid() -> CreateDatabase {
    CreateDatabase::new(
        "main-postgres",
        Engine::Postgresql,
        "db-s-2vcpu-4gb",
        "nyc1",
    )
}

fn refusal(input: &CreateDatabase) -> String {
    let e = input.check().unwrap_err();
    assert_eq!(e.kind(), &ErrorKind::InvalidInput, "{e:?}");
    e.message().unwrap_or_default().to_string()
}

#[test]
fn versions_are_checked_per_engine() {
    for engine in Engine::known() {
        for version in engine.versions() {
            let input =
                CreateDatabase::new("n", engine.clone(), "db-s", "nyc1").version(version.clone());
            assert!(input.check().is_ok(), "{engine} {version}");
        }
    }
    let msg = refusal(&valid().version("13"));
    assert_eq!(msg, "version: postgresql supports 14, 15, 16, not 13");
    // 7.0 is Redis's and MongoDB's, not MySQL's.
    let mysql = CreateDatabase::new("m", Engine::Mysql, "db-s", "nyc1").version(Version::V7_0);
    assert_eq!(refusal(&mysql), "version: mysql supports 8.0, 8.4, not 7.0");
    let other = CreateDatabase::new("x", Engine::from("oracle"), "db-s", "nyc1");
    assert!(refusal(&other).starts_with("db_type: \"oracle\""));
}

#[test]
fn names_plans_regions_and_ranges_are_checked() {
    for bad in ["", "-a", "a-", "Main", "a_b", "a.b", &"a".repeat(64), "é"] {
        let msg = refusal(&CreateDatabase {
            name: bad.to_string(),
            ..valid()
        });
        assert!(msg.starts_with("name:"), "{bad:?}: {msg}");
    }
    for good in ["a", "0", "a-b-1", &"a".repeat(63)] {
        assert!(
            CreateDatabase {
                name: good.to_string(),
                ..valid()
            }
            .check()
            .is_ok(),
            "{good}"
        );
    }
    assert!(
        refusal(&CreateDatabase {
            plan_id: "s-2vcpu".into(),
            ..valid()
        })
        .starts_with("plan_id:")
    );
    assert!(
        refusal(&CreateDatabase {
            plan_id: "db-".into(),
            ..valid()
        })
        .starts_with("plan_id:")
    );
    for bad in ["nyc", "1", "NYC1", "nyc1a", ""] {
        let msg = refusal(&CreateDatabase {
            region: bad.into(),
            ..valid()
        });
        assert!(msg.starts_with("region:"), "{bad:?}");
    }
    assert_eq!(
        refusal(&valid().storage_gb(0)),
        "storage_gb: 0 is out of range (1 to 16384)"
    );
    assert!(refusal(&valid().storage_gb(16385)).starts_with("storage_gb"));
    assert!(refusal(&valid().replicas(11)).starts_with("replicas"));
    assert!(valid().storage_gb(16384).replicas(10).check().is_ok());
}

#[test]
fn a_create_becomes_the_generated_body_with_the_defaults() {
    let body = types::CreateDatabase::try_from(&valid()).unwrap();
    let json = serde_json::to_value(&body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "name": "main-postgres", "db_type": "postgresql", "plan_id": "db-s-2vcpu-4gb",
            "region": "nyc1", "storage_gb": 10, "replicas": 1,
        })
    );
    let body =
        types::CreateDatabase::try_from(&valid().version(Version::V15).storage_gb(50)).unwrap();
    assert_eq!(body.version, Some(types::EngineVersion::X15));
    assert_eq!(body.storage_gb.get(), 50);
    assert!(types::CreateDatabase::try_from(&valid().version("9")).is_err());
}

#[test]
fn answers_convert_field_by_field() {
    let generated: types::Database = serde_json::from_value(serde_json::json!({
        "id": "db_a1b2c3d4", "project_id": "proj_default", "name": "main-postgres",
        "slug": "main-postgres", "db_type": "postgresql", "version": "16",
        "plan_id": "db-s-2vcpu-4gb", "status": "running", "region": "nyc1",
        "storage_gb": 50, "replicas": 1, "created_at": "2024-01-15T10:30:00Z",
    }))
    .unwrap();
    let db = Database::from(generated);
    assert_eq!(db.id, "db_a1b2c3d4");
    assert_eq!(db.project_id.as_deref(), Some("proj_default"));
    assert_eq!(
        (db.engine.clone(), db.version.clone()),
        (Some(Engine::Postgresql), Some(Version::V16))
    );
    assert!(db.is(&Status::Running));
    assert_eq!((db.storage_gb, db.replicas), (Some(50), Some(1)));
    assert_eq!(
        db.created_at.map(|t| t.to_rfc3339()).as_deref(),
        Some("2024-01-15T10:30:00+00:00")
    );
    let created = CreatedDatabase::from(db.clone());
    assert_eq!(
        (created.id.as_str(), created.name.as_str()),
        ("db_a1b2c3d4", "main-postgres")
    );

    let generated: types::CreatedDatabase = serde_json::from_value(serde_json::json!({
        "id": "db_x", "name": "cache", "db_type": "redis", "status": "provisioning",
        "created_at": "2024-01-15T10:30:00Z",
    }))
    .unwrap();
    let created = CreatedDatabase::from(generated);
    assert_eq!(
        (created.engine, created.status),
        (Some(Engine::Redis), Some(Status::Provisioning))
    );
}

#[test]
fn answers_need_only_their_identity_and_take_the_page_defaults() {
    let generated: types::Database =
        serde_json::from_value(serde_json::json!({"id": "db_1", "name": "Not_A_Label"})).unwrap();
    let db = Database::from(generated);
    assert_eq!(db.name, "Not_A_Label", "request patterns do not apply");
    assert_eq!((db.engine, db.status, db.created_at), (None, None, None));
    // The page's defaults (storage 10 GB, 1 replica) for absent fields.
    assert_eq!((db.storage_gb, db.replicas), (Some(10), Some(1)));
    // A count beyond u32 is none the facade can give.
    let generated: types::Database = serde_json::from_value(serde_json::json!({
        "id": "db_1", "name": "n", "storage_gb": -5, "replicas": 1u64 << 40,
        "region": "local", "plan_id": "custom",
    }))
    .unwrap();
    let db = Database::from(generated);
    assert_eq!((db.storage_gb, db.replicas), (None, None));
    assert_eq!(
        (db.region.as_deref(), db.plan_id.as_deref()),
        (Some("local"), Some("custom"))
    );
    assert!(serde_json::from_value::<types::Database>(serde_json::json!({"id": "db_1"})).is_err());
}

#[test]
fn names_and_ids_never_collide() {
    assert!(is_name("main-postgres"));
    assert!(!is_name("db_a1b2c3d4"));
}
