//! The HTTP client and the URLs it may talk to: the `reqwest::Client` the
//! facades build (no redirects followed, a connect timeout) and the check
//! that refuses insecure or malformed base URLs.

use std::time::Duration;

use url::Url;

use crate::error::{Result, convert};

/// A `reqwest::Client` that follows no redirect (the APIs served here never
/// redirect; following one could send the token's request to another host or
/// over plain HTTP) and gives up connecting after `connect_timeout`.
pub fn http_client(connect_timeout: Option<Duration>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    if let Some(t) = connect_timeout {
        builder = builder.connect_timeout(t);
    }
    builder.build().map_err(|e| {
        convert::with_source(convert::configuration("could not build the HTTP client"), e)
    })
}

/// Parses a base URL: `https`, or plain `http` to a loopback host (or to any
/// host with `allow_insecure_http`), without credentials, query or fragment.
pub fn check_base_url(what: &str, raw: &str, allow_insecure_http: bool) -> Result<Url> {
    let url = Url::parse(raw)
        .map_err(|e| convert::configuration(format!("the {what} {raw:?} is not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(convert::configuration(format!(
                "the {what} {raw:?} uses plain http to a host that is not loopback; \
                 use https or allow insecure http explicitly"
            )));
        }
        other => {
            return Err(convert::configuration(format!(
                "the {what} {raw:?} has the unsupported scheme {other:?}"
            )));
        }
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(convert::configuration(format!(
            "the {what} must not carry credentials, a query or a fragment"
        )));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_base_urls() {
        assert!(check_base_url("base URL", "https://api.turso.tech", false).is_ok());
        assert!(check_base_url("base URL", "http://127.0.0.1:8080", false).is_ok());
        assert!(check_base_url("base URL", "http://localhost", false).is_ok());
        assert!(check_base_url("base URL", "http://example.com", false).is_err());
        assert!(check_base_url("base URL", "http://example.com", true).is_ok());
        assert!(check_base_url("base URL", "ftp://example.com", true).is_err());
        assert!(check_base_url("base URL", "https://u:p@example.com", false).is_err());
        assert!(check_base_url("base URL", "https://example.com/?q", false).is_err());
        assert!(check_base_url("base URL", "not a url", false).is_err());
    }
}
