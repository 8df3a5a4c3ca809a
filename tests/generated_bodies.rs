//! Property test: any body valid for an operation's success schema decodes
//! into the operation's generated type, and the round trip keeps it.

use proptest::test_runner::{Config, TestRunner};
use turso_platform_contract_tests::effective_spec;
use turso_platform_contract_tests::schema::{project, success_bodies, without_empty};
use turso_platform_contract_tests::strategy::value_for;
use turso_platform_generated::round_trip;

#[test]
fn bodies_generated_from_each_success_schema_decode() {
    let spec = effective_spec();
    let bodies = success_bodies(&spec);
    assert!(
        bodies.len() >= 40,
        "only {} operations with a JSON success body",
        bodies.len()
    );
    for (operation, schema, type_name) in bodies {
        let mut runner = TestRunner::new(Config {
            cases: 48,
            failure_persistence: None,
            ..Config::default()
        });
        runner
            .run(&value_for(&spec, &schema), |body| {
                let back = round_trip(&type_name, body.clone())
                    .expect("the type exists")
                    .map_err(|e| {
                        proptest::test_runner::TestCaseError::fail(format!("{e}: {body}"))
                    })?;
                proptest::prop_assert_eq!(
                    without_empty(&back),
                    without_empty(&project(&spec, &schema, &body))
                );
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{operation} ({type_name}): {e}"));
    }
}
