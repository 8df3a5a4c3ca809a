//! What both report targets share: the organization and the client settings
//! they measure with.

use turso_platform::{ClientBuilder, RetryPolicy};
use turso_platform_emulator::Emulator;

/// The emulator's organization.
pub const ORG: &str = "acme";

/// A client of `emu` with the report's settings: no retries (a retry would
/// hide a failure inside a figure), everything else at its default.
pub fn client_builder(emu: &Emulator) -> ClientBuilder {
    turso_platform::Client::builder()
        .token(emu.token())
        .base_url(emu.base_url())
        .organization(ORG)
        .retry_policy(RetryPolicy::none())
}
