#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod auth;
mod dataplane;
mod dbfiles;
mod emulator;
mod jwt;
mod persist;
mod server;
mod shared;
mod state;
mod upload;
mod usage;

pub use dataplane::limits::DataPlaneLimits;
pub use emulator::{Emulator, EmulatorBuilder, EmulatorError};
pub use emulator_core::validate;
pub use emulator_core::{Fault, FaultParseError, FaultPlan};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_types_are_thread_safe() {
        fn assert_send_sync<T: Send + Sync>() {}
        fn assert_clone_debug<T: Clone + std::fmt::Debug>() {}
        assert_send_sync::<Emulator>();
        assert_send_sync::<EmulatorBuilder>();
        assert_clone_debug::<FaultPlan>();
        assert_clone_debug::<Fault>();
    }
}
