//! Groups: a set of databases sharing locations (one primary, further replicas),
//! configuration and tokens.

use std::time::{Duration, Instant};

use sdk_runtime::wait::{Poll, Wait};
use turso_platform_generated::types;

use crate::model::Extension;
use crate::tokens::TokenRequest;
use crate::{Deleted, Error, ErrorKind, Idempotency, Result, Token, validate};

/// The pause before asking again after the service (or a gateway) ended a
/// wait early.
const WAIT_AGAIN: Duration = Duration::from_millis(500);

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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Group {
    /// The group's name.
    pub name: String,
    /// The group's UUID.
    pub uuid: String,
    /// The primary location (`None` when the service did not say).
    pub primary: Option<String>,
    /// Every location (the primary included).
    pub locations: Vec<String>,
    /// The libSQL server version.
    pub version: Option<String>,
    /// Whether delete protection is on.
    pub delete_protection: bool,
    /// Whether the group was archived after inactivity (see [`Groups::unarchive`]).
    pub archived: bool,
}

/// The extensions a group enables for its databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extensions {
    /// Every extension.
    All,
    /// These extensions.
    Only(Vec<Extension>),
}

/// A new group.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateGroup {
    /// The name (lowercase letters, digits, dashes).
    pub name: String,
    /// The primary location code (see [`crate::Locations::list`]).
    pub location: String,
    /// Extensions to enable.
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
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GroupConfiguration {
    /// Whether delete protection is on.
    pub delete_protection: bool,
}

impl From<types::Group> for Group {
    fn from(g: types::Group) -> Self {
        Group {
            name: g.name,
            uuid: g.uuid,
            primary: crate::model::non_empty(g.primary),
            locations: g.locations,
            version: crate::model::non_empty(g.version),
            delete_protection: g.delete_protection.unwrap_or_default(),
            archived: g.archived.unwrap_or_default(),
        }
    }
}

impl From<types::GroupConfigurationResponse> for GroupConfiguration {
    fn from(c: types::GroupConfigurationResponse) -> Self {
        GroupConfiguration {
            delete_protection: c.delete_protection.unwrap_or_default(),
        }
    }
}

impl TryFrom<&CreateGroup> for types::NewGroup {
    type Error = Error;
    fn try_from(group: &CreateGroup) -> Result<Self> {
        let extensions = match &group.extensions {
            None => None,
            Some(Extensions::All) => Some(types::Extensions::String(types::ExtensionsString::All)),
            Some(Extensions::Only(list)) => Some(types::Extensions::Array(
                list.iter().map(TryInto::try_into).collect::<Result<_>>()?,
            )),
        };
        Ok(types::NewGroup {
            name: group.name.clone(),
            location: group.location.clone(),
            extensions,
        })
    }
}

impl Groups {
    /// Every group.
    pub async fn list(&self) -> Result<Vec<Group>> {
        let answer = self
            .scope
            .call("listGroups", Idempotency::Safe, |g, org| {
                g.list_groups().organization_slug(org).send()
            })
            .await?;
        Ok(answer.groups.into_iter().map(Into::into).collect())
    }

    /// Creates a group (sent once: never retried).
    pub async fn create(&self, group: &CreateGroup) -> Result<Group> {
        validate::group_name(&group.name)?;
        validate::segment("location", &group.location)?;
        let body = types::NewGroup::try_from(group)?;
        let answer = self
            .scope
            .call("createGroup", Idempotency::Unsafe, |g, org| {
                g.create_group()
                    .organization_slug(org)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(answer.group.into())
    }

    /// One group.
    pub async fn get(&self, name: &str) -> Result<Group> {
        validate::group_name(name)?;
        let answer = self
            .scope
            .call("getGroup", Idempotency::Safe, |g, org| {
                g.get_group().organization_slug(org).group_name(name).send()
            })
            .await?;
        Ok(answer.group.into())
    }

    /// Deletes a group (and its databases); the [`Deleted`] names it. A
    /// retry that finds nothing left after an attempt whose answer was lost
    /// counts as success.
    pub async fn delete(&self, name: &str) -> Result<Deleted> {
        validate::group_name(name)?;
        let deleted = self
            .scope
            .call("deleteGroup", Idempotency::Safe, |g, org| {
                g.delete_group()
                    .organization_slug(org)
                    .group_name(name)
                    .send()
            })
            .await
            .map(|_| true);
        sdk_runtime::deleted_after_lost_answer(name, deleted)
    }

    /// The group's configuration.
    pub async fn configuration(&self, name: &str) -> Result<GroupConfiguration> {
        validate::group_name(name)?;
        let answer = self
            .scope
            .call("getGroupConfiguration", Idempotency::Safe, |g, org| {
                g.get_group_configuration()
                    .organization_slug(org)
                    .group_name(name)
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Turns delete protection on or off (an idempotent update).
    pub async fn set_delete_protection(
        &self,
        name: &str,
        delete_protection: bool,
    ) -> Result<GroupConfiguration> {
        validate::group_name(name)?;
        let answer = self
            .scope
            .call("updateGroupConfiguration", Idempotency::Safe, |g, org| {
                g.update_group_configuration()
                    .organization_slug(org)
                    .group_name(name)
                    .body(types::GroupConfigurationInput {
                        delete_protection: Some(delete_protection),
                    })
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Transfers the group (and its databases) to the organization `to`.
    pub async fn transfer(&self, name: &str, to: &str) -> Result<Group> {
        validate::group_name(name)?;
        validate::segment("organization", to)?;
        let answer = self
            .scope
            .call("transferGroup", Idempotency::Unsafe, |g, org| {
                g.transfer_group()
                    .organization_slug(org)
                    .group_name(name)
                    .body(types::TransferGroupBody {
                        organization: Some(to.to_string()),
                    })
                    .send()
            })
            .await?;
        Ok(answer.into())
    }

    /// Unarchives a group archived for inactivity.
    pub async fn unarchive(&self, name: &str) -> Result<Group> {
        validate::group_name(name)?;
        let answer = self
            .scope
            .call("unarchiveGroup", Idempotency::Unsafe, |g, org| {
                g.unarchive_group()
                    .organization_slug(org)
                    .group_name(name)
                    .send()
            })
            .await?;
        Ok(answer.group.into())
    }

    /// Adds a location: every database of the group gets a replica there.
    pub async fn add_location(&self, name: &str, location: &str) -> Result<Group> {
        validate::group_name(name)?;
        validate::segment("location", location)?;
        let answer = self
            .scope
            .call("addLocationToGroup", Idempotency::Unsafe, |g, org| {
                g.add_location_to_group()
                    .organization_slug(org)
                    .group_name(name)
                    .location(location)
                    .send()
            })
            .await?;
        Ok(answer.group.into())
    }

    /// Adds a location and waits, up to `limit`, until it serves the group's
    /// databases (the CLI's `turso group locations add --wait`).
    pub async fn add_location_and_wait(
        &self,
        name: &str,
        location: &str,
        limit: Duration,
    ) -> Result<Group> {
        let deadline = Instant::now() + limit;
        let group = self.add_location(name, location).await?;
        self.wait_for_location(
            name,
            location,
            deadline.saturating_duration_since(Instant::now()),
        )
        .await?;
        Ok(group)
    }

    /// Waits, up to `limit`, until the group's `location` serves its databases
    /// (`waitForGroupLocation`, which answers once it does). The service may
    /// end a long wait with a timeout status; the wait is asked again until
    /// `limit` has passed, since asking changes nothing.
    pub async fn wait_for_location(
        &self,
        name: &str,
        location: &str,
        limit: Duration,
    ) -> Result<()> {
        validate::group_name(name)?;
        validate::segment("location", location)?;
        let what = format!("location {location:?} of group {name:?} did not serve");
        let wait = Wait::new("waitForGroupLocation", what, limit).pauses(WAIT_AGAIN, WAIT_AGAIN);
        wait.poll(|| async {
            let asked = self
                .scope
                .call("waitForGroupLocation", Idempotency::Safe, |g, org| {
                    let ask = g.wait_for_group_location().organization_slug(org);
                    ask.group_name(name).location(location).send()
                })
                .await;
            match asked {
                Ok(_) => Ok(Poll::Done(())),
                // A gateway that ended the long request: ask again.
                Err(e) if *e.kind() == ErrorKind::Timeout => Ok(Poll::Waiting(e.to_string())),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Removes a location: the replicas there are destroyed.
    pub async fn remove_location(&self, name: &str, location: &str) -> Result<Group> {
        validate::group_name(name)?;
        validate::segment("location", location)?;
        let answer = self
            .scope
            .call("removeLocationFromGroup", Idempotency::Safe, |g, org| {
                g.remove_location_from_group()
                    .organization_slug(org)
                    .group_name(name)
                    .location(location)
                    .send()
            })
            .await?;
        Ok(answer.group.into())
    }

    /// Updates the databases of the group to the latest libSQL server version.
    pub async fn update_databases(&self, name: &str) -> Result<()> {
        validate::group_name(name)?;
        self.scope
            .call("updateGroupDatabases", Idempotency::Unsafe, |g, org| {
                g.update_group_databases()
                    .organization_slug(org)
                    .group_name(name)
                    .send()
            })
            .await
    }

    /// Mints a token valid for every database of the group (sent once). Its
    /// value never appears in errors.
    pub async fn create_token(&self, name: &str, request: &TokenRequest) -> Result<Token> {
        validate::group_name(name)?;
        request.check()?;
        let body = request.body();
        let authorization = request
            .authorization
            .as_ref()
            .map(types::CreateGroupTokenAuthorization::try_from)
            .transpose()?;
        let answer = self
            .scope
            .call("createGroupToken", Idempotency::Unsafe, |g, org| {
                let mut b = g
                    .create_group_token()
                    .organization_slug(org)
                    .group_name(name)
                    .body(body.clone());
                if let Some(e) = &request.expiration {
                    b = b.expiration(e.to_query());
                }
                if let Some(a) = authorization {
                    b = b.authorization(a);
                }
                b.send()
            })
            .await
            .map_err(crate::error::withhold_answer)?;
        Ok(Token::new(answer.jwt))
    }

    /// Invalidates every token minted for the group so far (rotation).
    pub async fn invalidate_tokens(&self, name: &str) -> Result<()> {
        validate::group_name(name)?;
        self.scope
            .call("invalidateGroupTokens", Idempotency::Unsafe, |g, org| {
                g.invalidate_group_tokens()
                    .organization_slug(org)
                    .group_name(name)
                    .send()
            })
            .await
    }
}
