//! Typed enums shared by several resources, each with an `Other(String)`
//! fallback so a value the spec does not know yet never breaks decoding.

use turso_platform_generated::types;

use crate::Error;

/// Reads an optional string, treating `""` as absent.
pub(crate) fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.is_empty())
}

/// `From` a generated enum of known answer values: an exhaustive `match`, so
/// a value added to (or removed from) the spec breaks the build until the
/// facade knows it. `$open`: the generated "known or other" wrapper, whose
/// other values become `Other(String)`.
macro_rules! from_answer {
    ($name:ident <- $open:ident { $known_variant:ident($known:ident), $other_variant:ident } { $($variant:ident),* $(,)? }) => {
        impl From<types::$known> for $name {
            fn from(value: types::$known) -> Self {
                match value {
                    $( types::$known::$variant => $name::$variant, )*
                }
            }
        }

        impl From<types::$open> for $name {
            fn from(value: types::$open) -> Self {
                match value {
                    types::$open::$known_variant(known) => known.into(),
                    types::$open::$other_variant(other) => $name::Other(other.to_string()),
                }
            }
        }
    };
}

/// `TryFrom` the facade enum into a generated request enum, through the wire
/// value (typify's `FromStr`): a value the generated type does not list (an
/// `Other`, or a value this operation does not take) is refused before
/// anything is sent.
macro_rules! into_request {
    ($name:ident -> $target:ident) => {
        impl TryFrom<&$name> for types::$target {
            type Error = Error;
            fn try_from(value: &$name) -> Result<Self, Error> {
                value.as_str().parse().map_err(|_| {
                    crate::error::invalid_input(format!(
                        "{:?} is not a value the API accepts here",
                        value.as_str()
                    ))
                })
            }
        }
    };
}

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the crate does not know, as sent.
            Other(String),
        }

        impl $name {
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )*
                    $name::Other(s) => s.as_str(),
                }
            }

            /// Every value this version knows.
            pub fn known() -> &'static [$name] {
                &[$( $name::$variant ),*]
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $( $wire => $name::$variant, )*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name::from(s.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
                Ok($name::from(s))
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                String::deserialize(d).map($name::from)
            }
        }
    };
}

open_enum! {
    /// The role of a member of an organization (or of an invite).
    pub enum Role {
        /// Owns the organization.
        Owner => "owner",
        /// Manages the organization.
        Admin => "admin",
        /// Uses the organization's resources.
        Member => "member",
        /// Reads only.
        Viewer => "viewer",
    }
}

open_enum! {
    /// Whether an instance is the primary copy of a database or a replica.
    pub enum InstanceType {
        /// The primary: takes the writes; cannot be destroyed alone.
        Primary => "primary",
        /// A read replica in another location.
        Replica => "replica",
    }
}

open_enum! {
    /// What a database or group token may do.
    pub enum TokenAuthorization {
        /// Read and write.
        FullAccess => "full-access",
        /// Read only.
        ReadOnly => "read-only",
    }
}

open_enum! {
    /// The kind of an organization.
    pub enum OrganizationType {
        /// A user's own organization.
        Personal => "personal",
        /// A shared organization.
        Team => "team",
    }
}

open_enum! {
    /// The cipher of an encrypted database.
    pub enum EncryptionCipher {
        /// AES-256-GCM (32-byte key).
        Aes256Gcm => "aes256gcm",
        /// AES-128-GCM (16-byte key).
        Aes128Gcm => "aes128gcm",
        /// ChaCha20-Poly1305 (32-byte key).
        ChaCha20Poly1305 => "chacha20poly1305",
        /// AEGIS-128L (16-byte key).
        Aegis128L => "aegis128l",
        /// AEGIS-128X2 (16-byte key).
        Aegis128X2 => "aegis128x2",
        /// AEGIS-128X4 (16-byte key).
        Aegis128X4 => "aegis128x4",
        /// AEGIS-256 (32-byte key).
        Aegis256 => "aegis256",
        /// AEGIS-256X2 (32-byte key).
        Aegis256X2 => "aegis256x2",
        /// AEGIS-256X4 (32-byte key).
        Aegis256X4 => "aegis256x4",
    }
}

open_enum! {
    /// How a new database is seeded.
    pub enum SeedType {
        /// A copy of an existing database (optionally at a point in time).
        Database => "database",
        /// An empty database waiting for an uploaded SQLite file.
        DatabaseUpload => "database_upload",
    }
}

open_enum! {
    /// A permission of a group-scoped platform API token.
    pub enum ApiTokenScope {
        /// Read everything in the group.
        Read => "read",
        /// Create databases.
        DbCreate => "db:create",
        /// Delete databases.
        DbDelete => "db:delete",
        /// Configure databases.
        DbConfigure => "db:configure",
        /// Mint database tokens.
        DbMintToken => "db:mint-token",
        /// Invalidate database tokens.
        DbRotateCreds => "db:rotate-creds",
        /// Configure the group.
        GroupConfigure => "group:configure",
        /// Mint group tokens.
        GroupMintToken => "group:mint-token",
        /// Invalidate group tokens.
        GroupRotateCreds => "group:rotate-creds",
        /// Preset: `read`.
        ReadOnly => "read-only",
        /// Preset: every scope.
        FullAccess => "full-access",
    }
}

open_enum! {
    /// A SQLite extension that a group can enable for its databases.
    pub enum Extension {
        /// Vector search.
        Vector => "vector",
        /// Cryptographic functions.
        Crypto => "crypto",
        /// Fuzzy matching.
        Fuzzy => "fuzzy",
        /// Math functions.
        Math => "math",
        /// Statistics.
        Stats => "stats",
        /// Text functions.
        Text => "text",
        /// Unicode functions.
        Unicode => "unicode",
        /// UUID functions.
        Uuid => "uuid",
        /// Regular expressions.
        Regexp => "regexp",
        /// `vec` (sqlite-vec).
        Vec => "vec",
    }
}

open_enum! {
    /// Which invoices to list.
    pub enum InvoiceType {
        /// All invoices.
        All => "all",
        /// The upcoming invoice.
        Upcoming => "upcoming",
        /// Issued invoices.
        Issued => "issued",
    }
}

open_enum! {
    /// The action an audit log entry records.
    pub enum AuditLogCode {
        /// A user signed up.
        UserSignup => "user-signup",
        /// A database was created.
        DbCreate => "db-create",
        /// A database was deleted.
        DbDelete => "db-delete",
        /// Delete protection was enabled on a database.
        DbProtect => "db-protect",
        /// Delete protection was disabled on a database.
        DbUnprotect => "db-unprotect",
        /// A database token was minted.
        DbTokenCreate => "db-token-create",
        /// A group token was minted.
        GroupTokenCreate => "group-token-create",
        /// A platform API token was created.
        UserTokenCreate => "user-token-create",
        /// An instance was created.
        InstanceCreate => "instance-create",
        /// An instance was deleted.
        InstanceDelete => "instance-delete",
        /// An organization was created.
        OrgCreate => "org-create",
        /// An organization was deleted.
        OrgDelete => "org-delete",
        /// A member was added.
        OrgMemberAdd => "org-member-add",
        /// A member was removed.
        OrgMemberRm => "org-member-rm",
        /// A member left.
        OrgMemberLeave => "org-member-leave",
        /// The plan changed.
        OrgPlanUpdate => "org-plan-update",
        /// Overages were switched.
        OrgSetOverages => "org-set-overages",
        /// A group was created.
        GroupCreate => "group-create",
        /// A group was deleted.
        GroupDelete => "group-delete",
        /// A group was unarchived.
        GroupUnarchive => "group-unarchive",
        /// Delete protection was enabled on a group.
        GroupProtect => "group-protect",
        /// Delete protection was disabled on a group.
        GroupUnprotect => "group-unprotect",
        /// A database was unarchived (the spec spells it `db-aunrchive`).
        DbAunrchive => "db-aunrchive",
        /// A user was deleted.
        UserDelete => "user-delete",
    }
}

from_answer!(Role <- MemberRole { KnownMemberRole(KnownMemberRole), OtherMemberRole } { Owner, Admin, Member, Viewer });
from_answer!(Role <- InviteV2Role { KnownInviteRole(KnownInviteRole), OtherInviteRole } { Admin, Member, Viewer });
from_answer!(Role <- InviteCreatedV2Role { KnownInvitedRole(KnownInvitedRole), OtherInvitedRole } { Admin, Member, Viewer });
from_answer!(Role <- AddOrganizationMemberResponseRole { KnownAddedMemberRole(KnownAddedMemberRole), OtherAddedMemberRole } { Owner, Admin, Member, Viewer });
from_answer!(Role <- UpdateMemberRoleResponseMemberRole { KnownUpdatedMemberRole(KnownUpdatedMemberRole), OtherUpdatedMemberRole } { Admin, Member, Viewer });
into_request!(Role -> AddOrganizationMemberBodyRole);
into_request!(Role -> InviteOrganizationMemberV2BodyRole);
into_request!(Role -> UpdateMemberRoleBodyRole);

from_answer!(InstanceType <- InstanceType { KnownInstanceType(KnownInstanceType), OtherInstanceType } { Primary, Replica });
from_answer!(OrganizationType <- OrganizationType { KnownOrganizationType(KnownOrganizationType), OtherOrganizationType } { Personal, Team });
from_answer!(AuditLogCode <- AuditLogCode { KnownAuditLogCode(KnownAuditLogCode), OtherAuditLogCode } {
    UserSignup, DbCreate, DbDelete, DbProtect, DbUnprotect, DbTokenCreate, GroupTokenCreate,
    UserTokenCreate, InstanceCreate, InstanceDelete, OrgCreate, OrgDelete, OrgMemberAdd,
    OrgMemberRm, OrgMemberLeave, OrgPlanUpdate, OrgSetOverages, GroupCreate, GroupDelete,
    GroupUnarchive, GroupProtect, GroupUnprotect, DbAunrchive, UserDelete,
});

into_request!(TokenAuthorization -> CreateDatabaseTokenAuthorization);
into_request!(TokenAuthorization -> CreateGroupTokenAuthorization);
into_request!(SeedType -> CreateDatabaseInputSeedType);
into_request!(InvoiceType -> ListOrganizationInvoicesType);
into_request!(EncryptionCipher -> CreateDatabaseInputRemoteEncryptionEncryptionCipher);
into_request!(ApiTokenScope -> CreateApiTokenBodyScopesItem);
into_request!(Extension -> ExtensionsArrayItem);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_fall_back() {
        let r: Role = serde_json::from_str("\"superuser\"").unwrap();
        assert_eq!(r, Role::Other("superuser".into()));
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"superuser\"");
        let c: AuditLogCode = serde_json::from_str("\"db-create\"").unwrap();
        assert_eq!(c, AuditLogCode::DbCreate);
        assert_eq!(TokenAuthorization::ReadOnly.as_str(), "read-only");
        assert_eq!(
            "aes256gcm".parse::<EncryptionCipher>().unwrap(),
            EncryptionCipher::Aes256Gcm
        );
        for code in AuditLogCode::known() {
            assert_eq!(&AuditLogCode::from(code.as_str()), code);
        }
    }

    #[test]
    fn generated_answers_convert() {
        let open: types::MemberRole = serde_json::from_str("\"admin\"").unwrap();
        assert_eq!(Role::from(open), Role::Admin);
        let open: types::MemberRole = serde_json::from_str("\"auditor\"").unwrap();
        assert_eq!(Role::from(open), Role::Other("auditor".into()));
        let open: types::AuditLogCode = serde_json::from_str("\"db-aunrchive\"").unwrap();
        assert_eq!(AuditLogCode::from(open), AuditLogCode::DbAunrchive);
        assert!(types::AddOrganizationMemberBodyRole::try_from(&Role::Owner).is_err());
        assert!(types::AddOrganizationMemberBodyRole::try_from(&Role::Other("x".into())).is_err());
        assert_eq!(
            types::UpdateMemberRoleBodyRole::try_from(&Role::Viewer).unwrap(),
            types::UpdateMemberRoleBodyRole::Viewer
        );
    }
}
