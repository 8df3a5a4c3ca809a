//! Typed enums shared by several resources, each with an `Other(String)`
//! fallback so a value the spec does not know yet never breaks decoding.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, Result};

/// Converts between a generated type and a facade type through their common
/// JSON wire form. `Client::run` needs it only for answers without a body
/// (JSON answers are decoded straight from the recorded body).
pub(crate) fn bridge<A: Serialize, B: DeserializeOwned>(value: &A) -> Result<B> {
    // Through bytes rather than a `serde_json::Value` tree: one buffer instead
    // of an allocation per node, measurably cheaper on every answer.
    let bytes = serde_json::to_vec(value).map_err(|e| {
        Error::new(
            ErrorKind::Decode {
                excerpt: String::new(),
            },
            e.to_string(),
        )
    })?;
    serde_json::from_slice::<B>(&bytes).map_err(|e| Error::decode(&bytes, e))
}

/// Converts a facade input into the generated request type; a value the
/// generated type refuses (e.g. an `Other` enum value) is invalid input.
///
/// Through bytes, like [`bridge`]: cheaper than a `serde_json::Value` tree.
pub(crate) fn to_input<A: Serialize, B: DeserializeOwned>(what: &str, value: &A) -> Result<B> {
    let json =
        serde_json::to_vec(value).map_err(|e| Error::invalid_input(format!("{what}: {e}")))?;
    serde_json::from_slice::<B>(&json)
        .map_err(|e| Error::invalid_input(format!("{what} is not accepted by the API: {e}")))
}

/// Reads an optional string, treating `""` as absent.
pub(crate) fn empty_as_none<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let v: Option<String> = serde::Deserialize::deserialize(d)?;
    Ok(v.filter(|s| !s.is_empty()))
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
        DbUnarchive => "db-aunrchive",
        /// A user was deleted.
        UserDelete => "user-delete",
    }
}

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
}
