//! Groups: a set of databases sharing locations (one primary, further replicas),
//! configuration and tokens.

use serde::{Deserialize, Serialize};
use turso_platform_generated::types;

use crate::client::Token;
use crate::error::Result;
use crate::model::{Extension, to_input};
use crate::runtime::Retry;
use crate::tokens::TokenRequest;
use crate::validate;

crate::org_handle! {
    /// The groups of an organization. Obtained with [`crate::Client::groups`] or
    /// [`crate::OrgScope::groups`].
    ///
    /// ```no_run
    /// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
    /// use turso_platform::CreateGroup;
    /// let group = client.groups().create(&CreateGroup::new("default", "aws-us-east-1")).await?;
    /// client.groups().add_location(&group.name, "aws-eu-west-1").await?;
    /// # Ok(()) }
    /// ```
    Groups
}

/// A group of databases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// The group's name.
    pub name: String,
    /// The group's UUID.
    pub uuid: String,
    /// The primary location.
    pub primary: String,
    /// Every location (the primary included).
    #[serde(default)]
    pub locations: Vec<String>,
    /// The libSQL server version.
    #[serde(default)]
    pub version: Option<String>,
    /// Whether delete protection is on.
    #[serde(default)]
    pub delete_protection: bool,
}

/// The extensions a group enables for its databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extensions {
    /// Every extension.
    All,
    /// These extensions.
    Only(Vec<Extension>),
}

impl Serialize for Extensions {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Extensions::All => s.serialize_str("all"),
            Extensions::Only(list) => list.serialize(s),
        }
    }
}

/// A new group.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CreateGroup {
    /// The name (lowercase letters, digits, dashes).
    pub name: String,
    /// The primary location code (see [`crate::Locations::list`]).
    pub location: String,
    /// Extensions to enable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Extensions>,
}

impl CreateGroup {
    /// A group `name` with its primary in `location`.
    pub fn new(name: impl Into<String>, location: impl Into<String>) -> Self {
        CreateGroup {
            name: name.into(),
            location: location.into(),
            extensions: None,
        }
    }

    /// Enables extensions.
    pub fn extensions(mut self, extensions: Extensions) -> Self {
        self.extensions = Some(extensions);
        self
    }
}

/// A group's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupConfiguration {
    /// Whether delete protection is on.
    #[serde(default)]
    pub delete_protection: bool,
}

#[derive(Deserialize)]
struct GroupBody {
    group: Group,
}

#[derive(Deserialize)]
pub(crate) struct JwtBody {
    pub(crate) jwt: Token,
}

impl Groups {
    /// Every group.
    pub async fn list(&self) -> Result<Vec<Group>> {
        let org = self.org()?;
        let g = self.client.generated();
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            groups: Vec<Group>,
        }
        let b: Body = self
            .client
            .run("listGroups", Retry::Auto, || {
                g.list_groups().organization_slug(&org).send()
            })
            .await?;
        Ok(b.groups)
    }

    /// Creates a group (sent once: never retried).
    pub async fn create(&self, group: &CreateGroup) -> Result<Group> {
        validate::group_name(&group.name)?;
        validate::segment("location", &group.location)?;
        let org = self.org()?;
        let body: types::NewGroup = to_input("group", group)?;
        let g = self.client.generated();
        let b: GroupBody = self
            .client
            .run("createGroup", Retry::Never, || {
                g.create_group().organization_slug(&org).body(body).send()
            })
            .await?;
        Ok(b.group)
    }

    /// One group.
    pub async fn get(&self, name: &str) -> Result<Group> {
        validate::group_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        let b: GroupBody = self
            .client
            .run("getGroup", Retry::Auto, || {
                g.get_group()
                    .organization_slug(&org)
                    .group_name(name)
                    .send()
            })
            .await?;
        Ok(b.group)
    }

    /// Deletes a group and returns it as it was.
    pub async fn delete(&self, name: &str) -> Result<Group> {
        validate::group_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        let b: GroupBody = self
            .client
            .run("deleteGroup", Retry::Auto, || {
                g.delete_group()
                    .organization_slug(&org)
                    .group_name(name)
                    .send()
            })
            .await?;
        Ok(b.group)
    }

    /// The group's configuration.
    pub async fn configuration(&self, name: &str) -> Result<GroupConfiguration> {
        validate::group_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        self.client
            .run("getGroupConfiguration", Retry::Auto, || {
                g.get_group_configuration()
                    .organization_slug(&org)
                    .group_name(name)
                    .send()
            })
            .await
    }

    /// Turns delete protection on or off (an idempotent update).
    pub async fn set_delete_protection(
        &self,
        name: &str,
        delete_protection: bool,
    ) -> Result<GroupConfiguration> {
        validate::group_name(name)?;
        let org = self.org()?;
        let body = types::GroupConfigurationInput {
            delete_protection: Some(delete_protection),
        };
        let g = self.client.generated();
        self.client
            .run("updateGroupConfiguration", Retry::Auto, || {
                g.update_group_configuration()
                    .organization_slug(&org)
                    .group_name(name)
                    .body(body)
                    .send()
            })
            .await
    }

    /// Transfers the group (and its databases) to the organization `to`.
    pub async fn transfer(&self, name: &str, to: &str) -> Result<Group> {
        validate::group_name(name)?;
        validate::segment("organization", to)?;
        let org = self.org()?;
        let body = types::TransferGroupBody {
            organization: Some(to.to_string()),
        };
        let g = self.client.generated();
        self.client
            .run("transferGroup", Retry::Never, || {
                g.transfer_group()
                    .organization_slug(&org)
                    .group_name(name)
                    .body(body)
                    .send()
            })
            .await
    }

    /// Unarchives a group archived for inactivity.
    pub async fn unarchive(&self, name: &str) -> Result<Group> {
        validate::group_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        let b: GroupBody = self
            .client
            .run("unarchiveGroup", Retry::Never, || {
                g.unarchive_group()
                    .organization_slug(&org)
                    .group_name(name)
                    .send()
            })
            .await?;
        Ok(b.group)
    }

    /// Adds a location: every database of the group gets a replica there.
    pub async fn add_location(&self, name: &str, location: &str) -> Result<Group> {
        validate::group_name(name)?;
        validate::segment("location", location)?;
        let org = self.org()?;
        let g = self.client.generated();
        let b: GroupBody = self
            .client
            .run("addLocationToGroup", Retry::Never, || {
                g.add_location_to_group()
                    .organization_slug(&org)
                    .group_name(name)
                    .location(location)
                    .send()
            })
            .await?;
        Ok(b.group)
    }

    /// Removes a location: the replicas there are destroyed.
    pub async fn remove_location(&self, name: &str, location: &str) -> Result<Group> {
        validate::group_name(name)?;
        validate::segment("location", location)?;
        let org = self.org()?;
        let g = self.client.generated();
        let b: GroupBody = self
            .client
            .run("removeLocationFromGroup", Retry::Auto, || {
                g.remove_location_from_group()
                    .organization_slug(&org)
                    .group_name(name)
                    .location(location)
                    .send()
            })
            .await?;
        Ok(b.group)
    }

    /// Updates the databases of the group to the latest libSQL server version.
    pub async fn update_databases(&self, name: &str) -> Result<()> {
        validate::group_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        self.client
            .run("updateGroupDatabases", Retry::Never, || {
                g.update_group_databases()
                    .organization_slug(&org)
                    .group_name(name)
                    .send()
            })
            .await
    }

    /// Mints a token valid for every database of the group (sent once).
    pub async fn create_token(&self, name: &str, request: &TokenRequest) -> Result<Token> {
        validate::group_name(name)?;
        request.check()?;
        let org = self.org()?;
        let g = self.client.generated();
        let mut b = g
            .create_group_token()
            .organization_slug(&org)
            .group_name(name)
            .body(request.body()?);
        if let Some(e) = &request.expiration {
            b = b.expiration(e.to_query());
        }
        if let Some(a) = &request.authorization {
            let a: types::CreateGroupTokenAuthorization = to_input("token authorization", a)?;
            b = b.authorization(a);
        }
        let jwt: JwtBody = self
            .client
            .run("createGroupToken", Retry::Never, || b.send())
            .await?;
        Ok(jwt.jwt)
    }

    /// Invalidates every token minted for the group so far (rotation).
    pub async fn invalidate_tokens(&self, name: &str) -> Result<()> {
        validate::group_name(name)?;
        let org = self.org()?;
        let g = self.client.generated();
        self.client
            .run("invalidateGroupTokens", Retry::Never, || {
                g.invalidate_group_tokens()
                    .organization_slug(&org)
                    .group_name(name)
                    .send()
            })
            .await
    }
}
