//! Locations databases can be placed in.

use crate::{Client, Idempotency, Result};

/// The locations. Obtained with [`crate::Client::locations`].
#[derive(Debug, Clone)]
pub struct Locations {
    client: Client,
}

/// A location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Location {
    /// The code used in the API, e.g. `aws-us-east-1`.
    pub code: String,
    /// A human-readable description.
    pub name: String,
}

impl Locations {
    pub(crate) fn new(client: Client) -> Self {
        Locations { client }
    }

    /// Every location, sorted by code.
    pub async fn list(&self) -> Result<Vec<Location>> {
        let answer = self
            .client
            .call("listLocations", Idempotency::Safe, |g| {
                g.list_locations().send()
            })
            .await?;
        let mut locations: Vec<Location> = answer
            .locations
            .into_iter()
            .map(|(code, name)| Location { code, name })
            .collect();
        locations.sort();
        Ok(locations)
    }
}
