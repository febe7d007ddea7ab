//! Which client a request comes from, when reverse proxies stand in front of the host.
//!
//! `X-Forwarded-For` is a list each proxy appends its peer to; anything left of the hops our
//! own proxies added was written by the client and can say anything. So the client is the
//! rightmost hop that is not one of the configured trusted proxies, and the header counts only
//! when the socket peer itself is a trusted proxy. Without trusted proxies the header is
//! ignored: the socket peer is the client. (Serving behind TLS — `--behind-tls` — is a separate
//! setting: it changes cookies, not whom we believe.)

use std::net::IpAddr;
use std::str::FromStr;

/// The proxies whose `X-Forwarded-For` hops are believed: addresses or CIDR ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

/// A trusted-proxy entry that is neither an address nor a CIDR range.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an IP address or a CIDR range (e.g. 10.0.0.1 or 10.0.0.0/8)")]
pub struct BadProxy(String);

impl FromStr for TrustedProxies {
    type Err = BadProxy;

    /// Comma-separated addresses and ranges, e.g. `127.0.0.1,10.0.0.0/8,fd00::/8`.
    fn from_str(list: &str) -> Result<Self, BadProxy> {
        let mut ranges = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let bad = || BadProxy(entry.to_owned());
            let (addr, bits) = match entry.split_once('/') {
                Some((addr, bits)) => (addr, Some(bits.parse::<u8>().map_err(|_| bad())?)),
                None => (entry, None),
            };
            let addr: IpAddr = addr.parse().map_err(|_| bad())?;
            let max = if addr.is_ipv4() { 32 } else { 128 };
            let bits = bits.unwrap_or(max);
            if bits > max {
                return Err(bad());
            }
            ranges.push((addr, bits));
        }
        Ok(TrustedProxies(ranges))
    }
}

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| in_range(ip, *net, *bits))
    }

    /// The client of a request that came from `peer` with `forwarded` (`X-Forwarded-For`).
    pub fn client(&self, peer: IpAddr, forwarded: Option<&str>) -> String {
        let Some(forwarded) = forwarded.filter(|_| self.contains(peer)) else {
            return peer.to_string();
        };
        let hops: Vec<&str> = forwarded.split(',').map(str::trim).collect();
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.contains(ip) => continue,
                Ok(ip) => return ip.to_string(),
                // Garbage where a proxy would have written an address: the client wrote it.
                Err(_) => return peer.to_string(),
            }
        }
        hops.first()
            .and_then(|h| h.parse::<IpAddr>().ok())
            .unwrap_or(peer)
            .to_string()
    }
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_rightmost_hop_no_trusted_proxy_added() {
        let proxies: TrustedProxies = "127.0.0.1, 10.0.0.0/8".parse().unwrap();
        let peer = ip("127.0.0.1");
        // The client claimed 1.2.3.4; our proxy appended the real address.
        assert_eq!(
            proxies.client(peer, Some("1.2.3.4, 203.0.113.7")),
            "203.0.113.7"
        );
        assert_eq!(
            proxies.client(peer, Some("203.0.113.7, 10.1.2.3")),
            "203.0.113.7"
        );
        assert_eq!(proxies.client(peer, Some("10.0.0.5")), "10.0.0.5");
        assert_eq!(proxies.client(peer, Some("nonsense")), "127.0.0.1");
        // A peer that is not a trusted proxy is the client, whatever it claims.
        assert_eq!(
            proxies.client(ip("198.51.100.9"), Some("1.2.3.4")),
            "198.51.100.9"
        );
        assert_eq!(
            TrustedProxies::default().client(peer, Some("1.2.3.4")),
            "127.0.0.1"
        );
    }

    #[test]
    fn ranges_parse_and_match() {
        let proxies: TrustedProxies = "192.168.0.0/16,fd00::/8".parse().unwrap();
        assert!(proxies.contains(ip("192.168.4.2")));
        assert!(!proxies.contains(ip("192.169.0.1")));
        assert!(proxies.contains(ip("fd12::1")));
        assert!(!proxies.contains(ip("fe80::1")));
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
        assert_eq!(
            "".parse::<TrustedProxies>().unwrap(),
            TrustedProxies::default()
        );
    }
}
