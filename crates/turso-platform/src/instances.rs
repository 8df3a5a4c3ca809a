//! Instances: the copies of a database, one per location of its group (the
//! primary and replicas). They are read directly; they are created and destroyed
//! through the group's locations, as the service works today.

use std::time::Duration;

use sdk_runtime::wait::Poll;
use turso_platform_generated::types;

use crate::databases::{known, ready_wait};
use crate::model::InstanceType;
use crate::{Error, ErrorKind, Idempotency, OrgScope, Result, validate};

/// How long [`Instances::create_in_location`] waits for the new instance.
const CREATE_WAIT: Duration = Duration::from_secs(60);

/// The instances of one database. Obtained with [`crate::Databases::instances`].
///
/// ```no_run
/// # async fn run(client: turso_platform::Client) -> turso_platform::Result<()> {
/// let instances = client.databases().instances("orders");
/// let replica = instances.create_in_location("aws-eu-west-1").await?;
/// println!("{} ({:?}) at {:?}", replica.name, replica.kind, replica.hostname);
/// let destroyed = instances.destroy_replicas_in("aws-eu-west-1").await?;
/// # let _ = destroyed;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Instances {
    scope: OrgScope,
    database: String,
}

/// One copy of a database in one location.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Instance {
    /// The instance's UUID.
    pub uuid: String,
    /// The instance's name (its location code).
    pub name: String,
    /// Primary or replica (`None` when the service did not say).
    pub kind: Option<InstanceType>,
    /// The location code (`None` when the service did not say).
    pub region: Option<String>,
    /// The hostname of this instance (`None` when the service did not say).
    pub hostname: Option<String>,
}

impl Instance {
    /// True for the primary (false when the service did not say).
    pub fn is_primary(&self) -> bool {
        self.kind == Some(InstanceType::Primary)
    }

    /// The location the instance is in: its region, or else its name (an
    /// instance is named after its location code).
    pub fn location(&self) -> &str {
        self.region.as_deref().unwrap_or(&self.name)
    }
}

impl From<types::Instance> for Instance {
    fn from(i: types::Instance) -> Self {
        Instance {
            uuid: i.uuid,
            name: i.name,
            kind: i.type_.map(Into::into),
            region: crate::model::non_empty(i.region),
            hostname: crate::model::non_empty(i.hostname),
        }
    }
}

impl Instances {
    pub(crate) fn new(scope: OrgScope, database: String) -> Self {
        Instances { scope, database }
    }

    fn databases(&self) -> crate::Databases {
        crate::Databases::new(self.scope.clone())
    }

    fn groups(&self) -> crate::Groups {
        crate::Groups::new(self.scope.clone())
    }

    /// Every instance of the database.
    pub async fn list(&self) -> Result<Vec<Instance>> {
        validate::database_name(&self.database)?;
        let answer = self
            .scope
            .call("listDatabaseInstances", Idempotency::Safe, |g, org| {
                g.list_database_instances()
                    .organization_slug(org)
                    .database_name(&self.database)
                    .send()
            })
            .await?;
        Ok(answer.instances.into_iter().map(Into::into).collect())
    }

    /// One instance, by name (its location code).
    pub async fn get(&self, name: &str) -> Result<Instance> {
        validate::database_name(&self.database)?;
        validate::segment("instance name", name)?;
        let answer = self
            .scope
            .call("getDatabaseInstance", Idempotency::Safe, |g, org| {
                g.get_database_instance()
                    .organization_slug(org)
                    .database_name(&self.database)
                    .instance_name(name)
                    .send()
            })
            .await?;
        Ok(answer.instance.into())
    }

    /// Polls until the instance answers, for at most `timeout`.
    pub async fn wait_until_ready(&self, name: &str, timeout: Duration) -> Result<Instance> {
        validate::segment("instance name", name)?;
        let what = format!("instance {name:?} of database {:?}", self.database);
        ready_wait(&what, timeout)
            .poll(|| known(self.get(name)))
            .await
    }

    /// Creates an instance in `location` by adding the location to the database's
    /// group — so **every database of the group** gets a replica there — and
    /// waits (up to a minute) for this database's instance to appear.
    pub async fn create_in_location(&self, location: &str) -> Result<Instance> {
        validate::segment("location", location)?;
        let db = self.databases().get(&self.database).await?;
        self.groups()
            .add_location(db.group_name()?, location)
            .await?;
        let what = format!("the instance of {:?} in {location:?}", self.database);
        ready_wait(&what, CREATE_WAIT)
            .poll(|| async {
                let instances = match known(self.list()).await? {
                    Poll::Done(instances) => instances,
                    Poll::Waiting(seen) => return Ok(Poll::Waiting(seen)),
                };
                let here = instances.into_iter().find(|i| i.location() == location);
                Ok(match here {
                    Some(instance) => Poll::Done(instance),
                    None => Poll::Waiting(format!("no instance in {location:?} yet")),
                })
            })
            .await
    }

    /// Destroys the instance in `location` by removing the location from the
    /// database's group (so every database of the group loses its replica there).
    /// The primary location is refused with [`ErrorKind::InvalidInput`]
    /// (when the group's answer does not name its primary, the service
    /// decides).
    pub async fn destroy_in_location(&self, location: &str) -> Result<crate::Group> {
        validate::segment("location", location)?;
        let db = self.databases().get(&self.database).await?;
        let group_name = db.group_name()?;
        let groups = self.groups();
        let group = groups.get(group_name).await?;
        if group.primary.as_deref() == Some(location) {
            return Err(primary_refused(&self.database, location));
        }
        groups.remove_location(group_name, location).await
    }

    /// Destroys the replicas of the database in `location` and returns them, as
    /// the official CLI does: lists the instances, keeps those in `location` and
    /// deletes only replicas. If the primary is there, nothing is destroyed and an
    /// [`ErrorKind::InvalidInput`] error explains that the primary cannot be
    /// destroyed; with no instance there, [`ErrorKind::NotFound`].
    pub async fn destroy_replicas_in(&self, location: &str) -> Result<Vec<Instance>> {
        validate::segment("location", location)?;
        let here: Vec<Instance> = self
            .list()
            .await?
            .into_iter()
            .filter(|i| i.location() == location)
            .collect();
        if here.is_empty() {
            return Err(crate::error::new(
                ErrorKind::NotFound,
                format!(
                    "database {:?} has no instance in {location:?}",
                    self.database
                ),
            ));
        }
        if here.iter().any(Instance::is_primary) {
            return Err(primary_refused(&self.database, location));
        }
        let db = self.databases().get(&self.database).await?;
        let group_name = db.group_name()?;
        let groups = self.groups();
        // An instance of unknown kind may be the primary: ask the group.
        if here.iter().any(|i| i.kind.is_none())
            && groups.get(group_name).await?.primary.as_deref() == Some(location)
        {
            return Err(primary_refused(&self.database, location));
        }
        groups.remove_location(group_name, location).await?;
        Ok(here)
    }
}

fn primary_refused(database: &str, location: &str) -> Error {
    crate::error::invalid_input(format!(
        "the primary instance of database {database:?} is in {location:?}; the primary \
         cannot be destroyed (delete the database, or move the group's primary first)"
    ))
}
