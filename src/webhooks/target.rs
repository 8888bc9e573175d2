//! Where a webhook may be sent: `http` or `https` URLs whose host resolves to public addresses
//! only. Loopback, private, link-local (the cloud metadata service), carrier-grade NAT, multicast
//! and unspecified addresses are refused unless the settings allow private targets. The check runs
//! when a subscription is made and again at every send, after DNS resolution, through the client's
//! resolver, so a name that later resolves inward is refused too; redirects are never followed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

/// Why a URL is no webhook target.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetRefused {
    #[error("`{0}` is not a URL")]
    NotAUrl(String),
    #[error("a webhook URL is http or https, not `{0}`")]
    Scheme(String),
    #[error("a webhook URL names its host")]
    NoHost,
    #[error("a webhook URL carries no user name or password; sign with the secret instead")]
    Credentials,
    #[error("{host} is {address}, an address inside the network (loopback, private, link-local or metadata)")]
    Inward { host: String, address: IpAddr },
    #[error("{host} does not resolve: {detail}")]
    Unresolved { host: String, detail: String },
}

/// Parses and checks `text` as a webhook target, without resolving it.
pub fn parse_target(text: &str, allow_private: bool) -> Result<Url, TargetRefused> {
    let url = Url::parse(text.trim()).map_err(|_| TargetRefused::NotAUrl(text.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetRefused::Scheme(url.scheme().to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetRefused::Credentials);
    }
    let host = url.host_str().ok_or(TargetRefused::NoHost)?.to_owned();
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(address) = literal.parse::<IpAddr>() {
        if !allow_private && is_inward(address) {
            return Err(TargetRefused::Inward { host, address });
        }
    }
    Ok(url)
}

/// Resolves `url`'s host and refuses it when an address it resolves to is inward.
pub async fn check_resolved(url: &Url, allow_private: bool) -> Result<(), TargetRefused> {
    let host = url.host_str().ok_or(TargetRefused::NoHost)?.to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses = resolve(&host, port, allow_private).await?;
    if addresses.is_empty() {
        return Err(TargetRefused::Unresolved { host, detail: "no address".to_owned() });
    }
    Ok(())
}

/// The addresses of `host`, refused as a whole when any of them is inward (a name that mixes
/// public and inward addresses is a rebinding attempt as often as a mistake).
async fn resolve(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, TargetRefused> {
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = match literal.parse::<IpAddr>() {
        Ok(address) => vec![SocketAddr::new(address, port)],
        Err(_) => tokio::net::lookup_host((literal, port))
            .await
            .map_err(|e| TargetRefused::Unresolved { host: host.to_owned(), detail: e.to_string() })?
            .collect(),
    };
    if let Some(inward) = addresses.iter().find(|a| !allow_private && is_inward(a.ip())) {
        return Err(TargetRefused::Inward { host: host.to_owned(), address: inward.ip() });
    }
    Ok(addresses)
}

/// The client's resolver: every name is resolved and checked here, at connect time.
#[derive(Clone, Copy, Debug)]
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let addresses = resolve(name.as_str(), 0, allow_private).await?;
            let addrs: Addrs = Box::new(addresses.into_iter());
            Ok(addrs)
        })
    }
}

impl GuardedResolver {
    /// The resolver as a client takes it.
    pub fn shared(self) -> Arc<GuardedResolver> {
        Arc::new(self)
    }
}

/// Whether `address` is inside the network: not a public unicast address.
pub fn is_inward(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_inward_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_inward_v4(v4),
            None => is_inward_v6(v6),
        },
    }
}

fn is_inward_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT, 100.64.0.0/10
        || (a == 192 && b == 0) // IETF protocol assignments, 192.0.0.0/24 and 192.0.2.0/24
        || (a == 198 && (18..20).contains(&b)) // benchmarking, 198.18.0.0/15
        || a >= 240 // reserved
}

fn is_inward_v6(v6: Ipv6Addr) -> bool {
    let first = v6.segments()[0];
    v6.is_loopback()
        || v6.is_unspecified()
        || v6.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
        || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation, 2001:db8::/32
        || first == 0x0064 && v6.segments()[1] == 0xff9b // NAT64 of IPv4, 64:ff9b::/96
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inward_addresses_are_refused_and_public_ones_pass() {
        for inward in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(is_inward(inward.parse().unwrap()), "{inward}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:93.184.216.34"] {
            assert!(!is_inward(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn urls_are_http_with_a_host_and_no_credentials() {
        let refused = |url: &str| parse_target(url, false).unwrap_err();
        assert_eq!(refused("ftp://example.com/x"), TargetRefused::Scheme("ftp".to_owned()));
        assert_eq!(refused("https://user:pw@example.com/"), TargetRefused::Credentials);
        assert!(matches!(refused("http://127.0.0.1:8080/hook"), TargetRefused::Inward { .. }));
        assert!(matches!(refused("http://[::1]/hook"), TargetRefused::Inward { .. }));
        assert!(matches!(refused("http://169.254.169.254/latest/meta-data"), TargetRefused::Inward { .. }));
        assert!(matches!(refused("not a url"), TargetRefused::NotAUrl(_)));
        assert!(parse_target("https://example.com/hooks", false).is_ok());
        assert!(parse_target("http://127.0.0.1:8080/hook", true).is_ok(), "allowed by the settings");
    }

    #[tokio::test]
    async fn a_name_that_resolves_inward_is_refused_after_resolution() {
        let url = parse_target("http://localhost:9/hook", false).unwrap();
        assert!(matches!(check_resolved(&url, false).await, Err(TargetRefused::Inward { .. })));
        assert!(check_resolved(&url, true).await.is_ok());
    }
}
