//! Who is on the other end of a request: the client's address, read through the reverse
//! proxies the city trusts (`GLASSHOUSE_TRUSTED_PROXIES`), and the key rate limits count it
//! under. Pure functions over the peer address and the forwarding headers, tested below; the
//! layer at the bottom puts the answer in each request's extensions as [`ClientAddress`].
//!
//! The rule (RFC 7239 §7.4, and what nginx's `real_ip_recursive` does): start from the TCP
//! peer; while the address in hand is a trusted proxy, step one hop left in the forwarding
//! list. The first address that is not a trusted proxy is the client. A header from a peer
//! that is not trusted is ignored entirely, so a visitor cannot choose their own bucket.
//! Only the one header the city's proxies write is read (`GLASSHOUSE_PROXY_HEADER`:
//! `x-forwarded-for`, the default, or `forwarded`): proxies pass other headers through, so
//! reading the other one would read what the visitor wrote.

use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The networks whose requests come from a reverse proxy the city runs, and the header
/// those proxies write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    header: ProxyHeader,
}

/// The forwarding header the trusted proxies write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProxyHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx, HAProxy, most load balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

impl std::str::FromStr for ProxyHeader {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Ok(ProxyHeader::XForwardedFor),
            "forwarded" => Ok(ProxyHeader::Forwarded),
            other => Err(format!("{other:?} is neither x-forwarded-for nor forwarded")),
        }
    }
}

impl TrustedProxies {
    /// Parses a list of addresses or CIDR networks separated by commas or spaces
    /// (`10.0.0.0/8, 192.0.2.7, 2001:db8::/32`); the empty list trusts no one.
    pub fn parse(list: &str, header: ProxyHeader) -> Result<Self, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!("{item:?} is neither an IP address nor a CIDR network such as 10.0.0.0/8")
                    })
            })
            .map(|net| match net {
                // Trusting everyone would let any visitor write their own address.
                Ok(net) if net.prefix_len() == 0 => {
                    Err(format!("{net} would trust every address as a proxy"))
                }
                other => other,
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|networks| TrustedProxies { networks, header })
    }

    /// Whether requests from `ip` are a trusted proxy's.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.networks.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }
}

/// The client address of a request from `peer` with these headers.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    let mut client = peer.to_canonical();
    if !trusted.trusts(client) {
        return client;
    }
    let hops = match trusted.header {
        ProxyHeader::XForwardedFor => x_forwarded_for_hops(headers),
        ProxyHeader::Forwarded => forwarded_hops(headers),
    };
    for hop in hops.iter().rev() {
        match hop {
            Some(ip) => client = ip.to_canonical(),
            // An obfuscated or garbled hop: the proxy that wrote it is as far as we can see.
            None => return client,
        }
        if !trusted.trusts(client) {
            return client;
        }
    }
    client
}

/// The hops of every `X-Forwarded-For` header, left to right (`None` for one that is not an address).
/// Split on the raw bytes: a visitor's odd byte in their own (left) hop must not hide the
/// hops the proxies appended to its right on the same line.
fn x_forwarded_for_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| {
            value
                .as_bytes()
                .split(|b| *b == b',')
                .map(|item| {
                    std::str::from_utf8(item)
                        .ok()
                        .and_then(|item| parse_node(item.trim()))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The `for=` hops of every `Forwarded` header, left to right.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let mut hops = Vec::new();
    for value in headers.get_all("forwarded") {
        for element in value.as_bytes().split(|b| *b == b',') {
            let Ok(element) = std::str::from_utf8(element) else {
                hops.push(None);
                continue;
            };
            let node = element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim().eq_ignore_ascii_case("for").then(|| value.trim())
            });
            hops.push(node.and_then(parse_node));
        }
    }
    hops
}

/// One node of a forwarding header: `192.0.2.1`, `192.0.2.1:80`, `"[2001:db8::1]:443"`,
/// `2001:db8::1`; `None` for `unknown`, an obfuscated `_name`, or anything else.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    let bracketed = node.strip_prefix('[')?;
    let (ip, _) = bracketed.split_once(']')?;
    ip.parse::<Ipv6Addr>().ok().map(IpAddr::V6)
}

pub use auth::address::ClientAddress;

/// Puts the request's [`ClientAddress`] in its extensions, for the rate limits, the token
/// endpoint and the logs. A request without a peer (only in-process tests) gets none.
pub async fn find_client_address(
    axum::extract::State(trusted): axum::extract::State<std::sync::Arc<TrustedProxies>>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(peer) = peer {
        let client = client_address(peer, request.headers(), &trusted);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn proxies(list: &str) -> TrustedProxies {
        TrustedProxies::parse(list, ProxyHeader::XForwardedFor).unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client_whatever_the_headers_say() {
        let h = headers(&[
            ("x-forwarded-for", "203.0.113.9"),
            ("forwarded", "for=198.51.100.1"),
        ]);
        assert_eq!(
            client_address(ip("192.0.2.10"), &h, &TrustedProxies::default()),
            ip("192.0.2.10")
        );
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_address(ip("198.51.100.7"), &h, &proxies("10.0.0.0/8")),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_right_most_untrusted_hop_is_the_client() {
        let trusted = proxies("10.0.0.0/8");
        // The visitor wrote a fake first hop; the proxy appended the real address.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("203.0.113.9"));
        // Two proxies of the city in a row are both skipped.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.3")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("203.0.113.9"));
        // Several header lines are one list.
        let h = headers(&[("x-forwarded-for", "1.2.3.4"), ("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn a_trusted_proxy_without_a_header_or_with_only_trusted_hops_is_as_far_as_we_see() {
        let trusted = proxies("10.0.0.0/8");
        assert_eq!(
            client_address(ip("10.0.0.2"), &HeaderMap::new(), &trusted),
            ip("10.0.0.2")
        );
        let h = headers(&[("x-forwarded-for", "10.0.0.9")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.9"));
        let h = headers(&[("x-forwarded-for", "1.2.3.4, garbage")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn forwarded_is_read_with_ports_quotes_and_ipv6() {
        let trusted =
            TrustedProxies::parse("10.0.0.0/8, 2001:db8:ffff::/48", ProxyHeader::Forwarded).unwrap();
        let h = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8:1::7]:4711\";proto=https, for=10.0.0.3:8080;by=10.0.0.2",
        )]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("2001:db8:1::7"));
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(
            client_address(ip("2001:db8:ffff::1"), &h, &trusted),
            ip("2001:db8:ffff::1")
        );
    }

    #[test]
    fn an_odd_byte_in_the_visitors_own_hop_does_not_hide_the_proxys_hop() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_bytes(b"\x80zz, 203.0.113.9").unwrap(),
        );
        assert_eq!(
            client_address(ip("10.0.0.2"), &h, &proxies("10.0.0.0/8")),
            ip("203.0.113.9")
        );
        let forwarded = TrustedProxies::parse("10.0.0.0/8", ProxyHeader::Forwarded).unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "forwarded",
            HeaderValue::from_bytes(b"for=\x80, for=203.0.113.9").unwrap(),
        );
        assert_eq!(client_address(ip("10.0.0.2"), &h, &forwarded), ip("203.0.113.9"));
    }

    #[test]
    fn only_the_header_the_proxies_write_is_read() {
        // The proxy writes X-Forwarded-For and passes the visitor's own Forwarded through.
        let h = headers(&[("forwarded", "for=1.2.3.4"), ("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(
            client_address(ip("10.0.0.2"), &h, &proxies("10.0.0.0/8")),
            ip("198.51.100.1")
        );
        let forwarded = TrustedProxies::parse("10.0.0.0/8", ProxyHeader::Forwarded).unwrap();
        let h = headers(&[("x-forwarded-for", "1.2.3.4"), ("forwarded", "for=198.51.100.1")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &forwarded), ip("198.51.100.1"));
        assert_eq!("Forwarded".parse::<ProxyHeader>(), Ok(ProxyHeader::Forwarded));
        assert!("x-real-ip".parse::<ProxyHeader>().is_err());
    }

    #[test]
    fn ipv4_mapped_addresses_are_ipv4() {
        let trusted = proxies("10.0.0.0/8");
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(
            client_address(ip("::ffff:10.0.0.2"), &h, &trusted),
            ip("203.0.113.9")
        );
        let h = headers(&[("x-forwarded-for", "::ffff:203.0.113.9")]);
        assert_eq!(client_address(ip("10.0.0.2"), &h, &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn the_list_is_parsed_or_refused_with_the_bad_item_named() {
        assert!(
            TrustedProxies::parse("", ProxyHeader::XForwardedFor)
                .unwrap()
                .is_empty()
        );
        let list = proxies("10.0.0.0/8 192.0.2.7,2001:db8::/32");
        assert!(
            list.trusts(ip("10.1.2.3")) && list.trusts(ip("192.0.2.7")) && list.trusts(ip("2001:db8::5"))
        );
        assert!(!list.trusts(ip("192.0.2.8")));
        let error = TrustedProxies::parse("10.0.0.0/8, proxy.local", ProxyHeader::XForwardedFor).unwrap_err();
        assert!(error.contains("proxy.local"), "{error}");
        for everyone in ["0.0.0.0/0", "::/0"] {
            let error = TrustedProxies::parse(everyone, ProxyHeader::XForwardedFor).unwrap_err();
            assert!(error.contains("every address"), "{error}");
        }
    }
}
