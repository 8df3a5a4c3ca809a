//! Where real servers listen and the address their credentials name.
//!
//! An emulator bound to the loopback (the default) runs its servers on
//! `127.0.0.1` and hands out `127.0.0.1`. One bound to another address
//! serves clients elsewhere, so its servers listen on that address too (on
//! every IPv4 address for `0.0.0.0` or `::`), and the credentials name an
//! address those clients can reach: the `public_host` given
//! (`--public-host`), else the bound address, else, for `0.0.0.0`, the
//! address of this host's default route, else its host name.

use std::net::{IpAddr, Ipv4Addr};

use emulator_core::harness::reachable_host;

/// Where servers listen and which host their credentials name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The address servers listen on.
    pub listen: IpAddr,
    /// The host the credentials name.
    pub public_host: String,
}

impl Default for Network {
    fn default() -> Network {
        Network::loopback()
    }
}

impl Network {
    /// Servers on `127.0.0.1`, for clients on this host only.
    pub fn loopback() -> Network {
        Network {
            listen: IpAddr::V4(Ipv4Addr::LOCALHOST),
            public_host: Ipv4Addr::LOCALHOST.to_string(),
        }
    }

    /// The network of an emulator bound to `bind`, its credentials naming
    /// `public_host` when given (see the module's documentation).
    pub fn for_bind(bind: IpAddr, public_host: Option<String>) -> Network {
        if bind.is_loopback() && public_host.is_none() {
            return Network::loopback();
        }
        let listen = if bind.is_unspecified() {
            IpAddr::V4(Ipv4Addr::UNSPECIFIED)
        } else {
            bind
        };
        let public_host = public_host.unwrap_or_else(|| {
            if listen.is_unspecified() {
                reachable_host()
            } else {
                listen.to_string()
            }
        });
        Network {
            listen,
            public_host,
        }
    }

    /// The address the emulator itself reaches its servers at: the one they
    /// listen on, or the loopback when they listen on every address.
    pub fn probe(&self) -> IpAddr {
        if self.listen.is_unspecified() {
            IpAddr::V4(Ipv4Addr::LOCALHOST)
        } else {
            self.listen
        }
    }

    /// Whether only clients on this host can connect.
    pub fn is_loopback(&self) -> bool {
        self.listen.is_loopback()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_never_name_an_unspecified_address() {
        assert_eq!(
            Network::for_bind(IpAddr::V4(Ipv4Addr::LOCALHOST), None),
            Network::loopback()
        );
        let everywhere = Network::for_bind(IpAddr::V4(Ipv4Addr::UNSPECIFIED), None);
        assert_eq!(everywhere.listen, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        assert_ne!(everywhere.public_host, "0.0.0.0");
        assert!(!everywhere.public_host.is_empty());
        assert_eq!(everywhere.probe(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        let named = Network::for_bind(
            IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
            Some("db.example.test".into()),
        );
        assert_eq!(named.public_host, "db.example.test");
        assert!(!named.is_loopback());
        let one = Network::for_bind("10.1.2.3".parse().unwrap(), None);
        assert_eq!(
            (one.listen.to_string(), one.public_host.as_str()),
            ("10.1.2.3".into(), "10.1.2.3")
        );
    }
}
