//! Locations databases can be placed in.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::client::Client;
use crate::error::Result;
use crate::runtime::Retry;

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
        #[derive(Deserialize)]
        struct Body {
            #[serde(default)]
            locations: BTreeMap<String, String>,
        }
        let g = self.client.generated();
        let b: Body = self
            .client
            .run("listLocations", Retry::Auto, || g.list_locations().send())
            .await?;
        Ok(b.locations
            .into_iter()
            .map(|(code, name)| Location { code, name })
            .collect())
    }
}
