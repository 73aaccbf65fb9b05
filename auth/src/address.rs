//! Who is asking, by address: the client address the server's layer found for a request (read
//! through the city's trusted proxies), and the key per-address limits count it under.

use std::net::{IpAddr, Ipv6Addr};

/// The client address of the request being served (put in the request's extensions by the
/// server's `find_client_address` layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// The key per-address limits count this client under: an IPv4 address itself, an IPv6
    /// address its /64 (one subscriber's whole network, which they pick addresses from at will).
    pub fn limit_key(self) -> IpAddr {
        match self.0.to_canonical() {
            IpAddr::V4(v4) => IpAddr::V4(v4),
            IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !(u64::MAX as u128))),
        }
    }
}

impl std::fmt::Display for ClientAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> IpAddr {
        ClientAddress(s.parse().unwrap()).limit_key()
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64_and_ipv4_by_their_address() {
        assert_eq!(
            key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            "2001:db8:1:2::".parse::<IpAddr>().unwrap()
        );
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("192.0.2.1"), "192.0.2.1".parse::<IpAddr>().unwrap());
        assert_eq!(
            key("::ffff:203.0.113.9"),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
    }
}
