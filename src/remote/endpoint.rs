//! A remote's endpoint URL and the policy on it: `https`, or plain `http` only on loopback,
//! decided before any connection is tried (issue 17).

use hyper::Uri;

use crate::csms::{ApiError, ErrorCode};

/// A checked endpoint: scheme, host and port, no path beyond `/`, no query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub https: bool,
    /// Without brackets for IPv6.
    pub host: String,
    pub port: u16,
}

impl Endpoint {
    /// Parses `url` and applies the policy.
    ///
    /// Errors: `SYNC.0005` for a URL that is not `http(s)://HOST[:PORT][/]`, and for `http` to a
    /// host that is not loopback (`localhost`, `127.0.0.0/8`, `::1`).
    pub fn parse(url: &str) -> Result<Self, ApiError> {
        let refuse = |why: &str| {
            ApiError::new(
                ErrorCode::RemotePolicy,
                format!("The endpoint is refused: {why}."),
            )
        };
        let uri: Uri = url.trim().parse().map_err(|_| refuse("it is not a URL"))?;
        let https = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => {
                return Err(refuse(
                    "it must begin with https:// (or http:// on loopback)",
                ));
            }
        };
        let authority = uri.authority().ok_or_else(|| refuse("it names no host"))?;
        if authority.as_str().contains('@') {
            return Err(refuse("it must not carry a user name or password"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(refuse("give the endpoint alone, without a path or query"));
        }
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let endpoint = Self { https, host, port };
        if !https && !endpoint.is_loopback() {
            return Err(refuse("off loopback a remote must be https"));
        }
        Ok(endpoint)
    }

    /// Whether the host is this machine: `localhost`, `127.0.0.0/8` or `::1`.
    pub fn is_loopback(&self) -> bool {
        self.host == "localhost"
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// `scheme://host:port`, brackets around an IPv6 host.
    pub fn base(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        if self.host.contains(':') {
            format!("{scheme}://[{}]:{}", self.host, self.port)
        } else {
            format!("{scheme}://{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_off_loopback_only() {
        assert!(Endpoint::parse("http://127.0.0.1:8787").is_ok());
        assert!(Endpoint::parse("http://[::1]:8787/").is_ok());
        assert!(Endpoint::parse("http://localhost").is_ok());
        let off = Endpoint::parse("http://csms.cn-north-4.myhuaweicloud.com").unwrap_err();
        assert_eq!(off.code, ErrorCode::RemotePolicy);
        let ok = Endpoint::parse("https://csms.cn-north-4.myhuaweicloud.com").unwrap();
        assert_eq!((ok.port, ok.https), (443, true));
        for bad in [
            "ftp://x",
            "https://u:p@host",
            "https://host/v1",
            "https://host/?a=b",
            "nothing",
        ] {
            assert_eq!(
                Endpoint::parse(bad).unwrap_err().code,
                ErrorCode::RemotePolicy,
                "{bad}"
            );
        }
    }
}
