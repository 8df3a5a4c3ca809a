//! The rule catalogue: every rule id the diff can emit, with its severity.
//!
//! The catalogue is the single source of truth for severities: the comparison code
//! names a rule and takes its severity from here.
//!
//! Schema rules exist once per *subject prefix*: `request-parameter` (a parameter's
//! schema), `request-body` / `response-body` (the root schema of a body) and
//! `request-property` / `response-property` (anything nested in a body schema:
//! properties, array items, map values, `allOf`/`oneOf`/`anyOf` members).
//!
//! Validation keywords (`maxLength`, `pattern`, `minimum`...) are judged by whether the
//! constraint got tighter or looser, and by direction: tighter breaks requests, looser
//! breaks responses (the generated SDK validates constrained values when decoding). A
//! change that cannot be ordered (a new `pattern`) takes the breaking rule of its
//! direction.

use crate::model::Severity;

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    /// The stable kebab-case id, as found in [`crate::Change::id`].
    pub id: &'static str,
    /// The severity of every change this rule emits.
    pub severity: Severity,
    /// What the rule detects, and why it has that severity.
    pub description: &'static str,
}

macro_rules! catalogue {
    (
        plain { $( $id:literal => $sev:ident, $desc:literal; )* }
        request_schema { $( $rp:literal => $rwhat:literal; )* }
        response_schema { $( $sp:literal => $swhat:literal; )* }
    ) => {
        /// Every rule, in catalogue order.
        pub const RULES: &[Rule] = &[
            $( Rule { id: $id, severity: Severity::$sev, description: $desc }, )*
            $(
                Rule { id: concat!($rp, "-type-changed"), severity: Severity::Breaking,
                    description: concat!("The type, format or enum-ness of ", $rwhat, " changed: requests built for the old type are rejected and the generated Rust type changes.") },
                Rule { id: concat!($rp, "-enum-value-added"), severity: Severity::NonBreaking,
                    description: concat!("An enum value was added to ", $rwhat, ": the server accepts more.") },
                Rule { id: concat!($rp, "-enum-value-removed"), severity: Severity::Breaking,
                    description: concat!("An enum value was removed from ", $rwhat, ": requests using it are rejected.") },
                Rule { id: concat!($rp, "-became-nullable"), severity: Severity::NonBreaking,
                    description: concat!($rwhat, " now accepts null.") },
                Rule { id: concat!($rp, "-became-not-nullable"), severity: Severity::Breaking,
                    description: concat!($rwhat, " no longer accepts null.") },
                Rule { id: concat!($rp, "-deprecated"), severity: Severity::Info,
                    description: concat!($rwhat, " became deprecated.") },
                Rule { id: concat!($rp, "-deprecation-removed"), severity: Severity::Info,
                    description: concat!($rwhat, " is no longer deprecated.") },
                Rule { id: concat!($rp, "-variant-added"), severity: Severity::NonBreaking,
                    description: concat!("A oneOf/anyOf alternative was added to ", $rwhat, " (compared by position): the server accepts more.") },
                Rule { id: concat!($rp, "-variant-removed"), severity: Severity::Breaking,
                    description: concat!("A oneOf/anyOf alternative was removed from ", $rwhat, " (compared by position): requests of that shape are rejected.") },
                Rule { id: concat!($rp, "-all-of-added"), severity: Severity::Breaking,
                    description: concat!("An allOf member was added to ", $rwhat, " (compared by position): requests must satisfy more constraints.") },
                Rule { id: concat!($rp, "-all-of-removed"), severity: Severity::NonBreaking,
                    description: concat!("An allOf member was removed from ", $rwhat, " (compared by position): the server accepts more.") },
                Rule { id: concat!($rp, "-constraint-tightened"), severity: Severity::Breaking,
                    description: concat!("A validation keyword of ", $rwhat, " got stricter (a bound added or moved inward, `uniqueItems` turned on) or changed in a way that cannot be ordered (`pattern`, `multipleOf`): requests valid before are rejected.") },
                Rule { id: concat!($rp, "-constraint-loosened"), severity: Severity::NonBreaking,
                    description: concat!("A validation keyword of ", $rwhat, " was relaxed or removed: the server accepts more.") },
                Rule { id: concat!($rp, "-discriminator-changed"), severity: Severity::Breaking,
                    description: concat!("The `discriminator.propertyName` of ", $rwhat, " was added, removed or changed: alternatives are told apart by another property, and the tagging of the generated Rust enum changes.") },
            )*
            $(
                Rule { id: concat!($sp, "-type-changed"), severity: Severity::Breaking,
                    description: concat!("The type, format or enum-ness of ", $swhat, " changed: clients fail to decode it.") },
                Rule { id: concat!($sp, "-enum-value-added"), severity: Severity::Breaking,
                    description: concat!("An enum value was added to ", $swhat, ": clients with exhaustive enums, such as the generated Rust SDK, fail to decode it.") },
                Rule { id: concat!($sp, "-enum-value-removed"), severity: Severity::NonBreaking,
                    description: concat!("An enum value was removed from ", $swhat, ": the server sends less.") },
                Rule { id: concat!($sp, "-became-nullable"), severity: Severity::Breaking,
                    description: concat!($swhat, " can now be null: clients expecting a value fail.") },
                Rule { id: concat!($sp, "-became-not-nullable"), severity: Severity::NonBreaking,
                    description: concat!($swhat, " is no longer null.") },
                Rule { id: concat!($sp, "-deprecated"), severity: Severity::Info,
                    description: concat!($swhat, " became deprecated.") },
                Rule { id: concat!($sp, "-deprecation-removed"), severity: Severity::Info,
                    description: concat!($swhat, " is no longer deprecated.") },
                Rule { id: concat!($sp, "-variant-added"), severity: Severity::Breaking,
                    description: concat!("A oneOf/anyOf alternative was added to ", $swhat, " (compared by position): clients, such as the generated Rust SDK, fail to decode the new shape.") },
                Rule { id: concat!($sp, "-variant-removed"), severity: Severity::NonBreaking,
                    description: concat!("A oneOf/anyOf alternative was removed from ", $swhat, " (compared by position): the server sends less.") },
                Rule { id: concat!($sp, "-all-of-added"), severity: Severity::NonBreaking,
                    description: concat!("An allOf member was added to ", $swhat, " (compared by position): the server sends more.") },
                Rule { id: concat!($sp, "-all-of-removed"), severity: Severity::Breaking,
                    description: concat!("An allOf member was removed from ", $swhat, " (compared by position): clients lose guarantees.") },
                Rule { id: concat!($sp, "-constraint-tightened"), severity: Severity::NonBreaking,
                    description: concat!("A validation keyword of ", $swhat, " got stricter (a bound added or moved inward, `uniqueItems` turned on): the server sends less variety.") },
                Rule { id: concat!($sp, "-constraint-loosened"), severity: Severity::Breaking,
                    description: concat!("A validation keyword of ", $swhat, " was relaxed or removed, or changed in a way that cannot be ordered (`pattern`, `multipleOf`): tolerant clients accept the new values, but the generated Rust SDK (progenitor/typify) turns constrained strings and numbers into validating newtypes that refuse, when decoding, values outside the old constraint.") },
                Rule { id: concat!($sp, "-discriminator-changed"), severity: Severity::Breaking,
                    description: concat!("The `discriminator.propertyName` of ", $swhat, " was added, removed or changed: alternatives are told apart by another property, and the tagging of the generated Rust enum changes.") },
            )*
        ];
    };
}

catalogue! {
    plain {
        "operation-added" => NonBreaking, "An operation was added.";
        "operation-removed" => Breaking, "An operation was removed.";
        "operation-path-changed" => Breaking, "An operation (same operationId) moved to another path.";
        "operation-method-changed" => Breaking, "An operation (same operationId) changed its HTTP method.";
        "operation-id-changed" => Breaking, "The operationId of an operation changed, was added or removed: the wire is unchanged but the generated SDK method is renamed.";
        "operation-deprecated" => Info, "An operation became deprecated.";
        "operation-deprecation-removed" => Info, "An operation is no longer deprecated.";
        "path-parameter-renamed" => Breaking, "A path parameter was renamed (same path shape): the wire is unchanged but the generated SDK builder method is renamed.";
        "request-parameter-added-required" => Breaking, "A required parameter was added.";
        "request-parameter-added-optional" => NonBreaking, "An optional parameter was added.";
        "request-parameter-removed" => Breaking, "A parameter was removed.";
        "request-parameter-became-required" => Breaking, "A parameter became required.";
        "request-parameter-became-optional" => NonBreaking, "A parameter became optional: the server accepts more, and the generated builder's setter is unchanged (progenitor gives required and optional parameters the same `TryInto<T>` setter).";
        "path-parameter-declared" => Info, "A path parameter the URL template already named is now declared: requests do not change (it is not a parameter added).";
        "request-body-added-required" => Breaking, "A required request body was added.";
        "request-body-added-optional" => NonBreaking, "An optional request body was added.";
        "request-body-removed" => Breaking, "The request body was removed.";
        "request-body-became-required" => Breaking, "The request body became required.";
        "request-body-became-optional" => NonBreaking, "The request body became optional.";
        "request-body-media-type-added" => NonBreaking, "The request body accepts a new media type.";
        "request-body-media-type-removed" => Breaking, "The request body no longer accepts a media type.";
        "request-property-added" => NonBreaking, "An optional request property was added.";
        "request-property-added-required" => Breaking, "A required request property was added.";
        "request-property-removed" => Breaking, "A request property was removed.";
        "request-property-became-required" => Breaking, "A request property became required.";
        "request-property-became-optional" => Breaking, "A request property became optional: the server accepts more, but in the generated SDK the field becomes `Option<T>` and the builder setter takes `TryInto<Option<T>>`, so existing calls (a `&str` for a `String`) stop compiling.";
        "request-property-became-read-only" => Breaking, "A request property became readOnly: clients sending it are refused, or what they send is ignored.";
        "request-property-became-not-read-only" => NonBreaking, "A request property is no longer readOnly: clients may now send it.";
        "response-success-status-added" => Info, "A success (2xx) response status was added.";
        "response-success-status-removed" => Breaking, "A success (2xx) response status was removed: clients expecting it fail.";
        "response-error-status-added" => NonBreaking, "A non-success (not 2xx, including `default`) response status was documented.";
        "response-error-status-removed" => NonBreaking, "A non-success response status is no longer documented: clients must handle undocumented statuses anyway.";
        "response-media-type-added" => NonBreaking, "A response gained a media type (or a body where it had none).";
        "response-media-type-removed" => Breaking, "A response lost a media type (or its body).";
        "response-property-added" => NonBreaking, "A response property was added.";
        "response-property-removed" => Breaking, "A response property was removed.";
        "response-property-became-required" => Breaking, "A response property became required: wire-compatible, but the generated field changes from Option<T> to T.";
        "response-property-became-optional" => Breaking, "A response property became optional: clients relying on it fail, and the generated field becomes Option<T>.";
        "response-property-became-write-only" => Breaking, "A response property became writeOnly: the server stops sending it.";
        "response-property-became-not-write-only" => NonBreaking, "A response property is no longer writeOnly: the server sends it again.";
        "security-added" => Breaking, "Security requirements were added where there were none (root level, or effective for one operation).";
        "security-removed" => NonBreaking, "All security requirements were removed (root level, or effective for one operation).";
        "security-changed" => Breaking, "Security requirements changed (root level, or effective for one operation).";
        "component-schema-added" => Info, "A component schema was added (its uses are reported per operation).";
        "component-schema-removed" => Info, "A component schema was removed (its uses are reported per operation).";
        "unresolved-ref" => Info, "A `$ref` cannot be resolved (missing target, external document or reference cycle); what it points to is not compared.";
    }
    request_schema {
        "request-parameter" => "a parameter (or its schema)";
        "request-body" => "the request body schema";
        "request-property" => "a schema nested in the request body";
    }
    response_schema {
        "response-body" => "the response body schema";
        "response-property" => "a schema nested in a response body";
    }
}

/// The catalogue entry of a rule id, if there is one.
#[must_use]
pub fn rule(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id), "duplicate rule id {}", r.id);
            assert!(
                r.id.split('-').all(|w| !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
                "not kebab-case: {}",
                r.id
            );
            assert!(!r.description.is_empty());
        }
    }

    #[test]
    fn schema_rules_follow_direction() {
        assert_eq!(
            rule("request-property-enum-value-added").map(|r| r.severity),
            Some(Severity::NonBreaking)
        );
        assert_eq!(
            rule("response-property-enum-value-added").map(|r| r.severity),
            Some(Severity::Breaking)
        );
        assert_eq!(
            rule("request-parameter-became-not-nullable").map(|r| r.severity),
            Some(Severity::Breaking)
        );
        assert_eq!(
            rule("response-body-became-nullable").map(|r| r.severity),
            Some(Severity::Breaking)
        );
        assert_eq!(
            rule("request-body-constraint-tightened").map(|r| r.severity),
            Some(Severity::Breaking)
        );
        assert_eq!(
            rule("response-property-constraint-tightened").map(|r| r.severity),
            Some(Severity::NonBreaking)
        );
        assert_eq!(
            rule("response-body-constraint-loosened").map(|r| r.severity),
            Some(Severity::Breaking)
        );
        assert_eq!(
            rule("request-parameter-constraint-loosened").map(|r| r.severity),
            Some(Severity::NonBreaking)
        );
        assert!(rule("no-such-rule").is_none());
    }
}
