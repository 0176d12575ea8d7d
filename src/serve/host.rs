//! Which `Host` headers the server answers: a guard against DNS rebinding.
//!
//! A page on another site can point a name it controls at 127.0.0.1 and then read this
//! server's answers as its own origin; its requests still carry that name in `Host`. So a
//! request is answered only when its `Host` is `localhost` or an IP address the server can be
//! reached at (the bound address; any address when bound to all of them, `0.0.0.0` or `::`),
//! with the bound port (no port means 80). A browser cannot be made to send such a `Host` for
//! a page of another name.

use std::net::{IpAddr, SocketAddr};

/// Whether a request with `host` (the header's value, if any) is answered by a server bound to
/// `bound`; if not, why, in words for the reply.
pub fn check(host: Option<&str>, bound: SocketAddr) -> Result<(), String> {
    let Some(host) = host else {
        return Err("the request has no Host header".to_string());
    };
    let refuse = || {
        Err(format!(
            "Host {host:?} is not this server's address: open http://{}/ (or \
             http://localhost:{}/); other names are refused to guard against DNS rebinding",
            shown(bound),
            bound.port()
        ))
    };
    let Some((name, port)) = split(host) else {
        return refuse();
    };
    if port.unwrap_or(80) != bound.port() {
        return refuse();
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    let allowed = name == "localhost"
        || match name.parse::<IpAddr>() {
            Ok(ip) => {
                bound.ip().is_unspecified()
                    || ip == bound.ip()
                    || (ip.is_loopback() && bound.ip().is_loopback())
            }
            Err(_) => false,
        };
    if allowed { Ok(()) } else { refuse() }
}

/// The bound address as a browser would write it (127.0.0.1 for all addresses).
fn shown(bound: SocketAddr) -> String {
    if bound.ip().is_unspecified() {
        format!("127.0.0.1:{}", bound.port())
    } else {
        bound.to_string()
    }
}

/// `name[:port]` or `[v6][:port]` into the name (brackets removed) and the port; `None` when
/// malformed.
fn split(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        match after {
            "" => (v6, None),
            _ => (v6, Some(after.strip_prefix(':')?)),
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    (!name.is_empty()).then_some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(address: &str) -> SocketAddr {
        address.parse().unwrap()
    }

    #[test]
    fn the_bound_address_and_localhost_are_answered() {
        let bound = at("127.0.0.1:8080");
        for host in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST:8080",
            "localhost.:8080",
            "[::1]:8080",
        ] {
            assert_eq!(check(Some(host), bound), Ok(()), "{host}");
        }
        assert_eq!(check(Some("localhost"), at("127.0.0.1:80")), Ok(()));
        // Bound to every address: any address literal, never a name.
        let all = at("0.0.0.0:8080");
        assert_eq!(check(Some("192.168.1.20:8080"), all), Ok(()));
        assert!(check(Some("files.example:8080"), all).is_err());
    }

    #[test]
    fn other_names_ports_and_malformed_hosts_are_refused() {
        let bound = at("127.0.0.1:8080");
        for host in [
            "attacker.example:8080",
            "localhost.attacker.example:8080",
            "127.0.0.1:9090",
            "localhost",
            "10.0.0.1:8080",
            "[::1",
            "[::1]x",
            "127.0.0.1:port",
            ":8080",
            "",
        ] {
            let refused = check(Some(host), bound);
            assert!(refused.is_err(), "{host}");
        }
        let message = check(Some("attacker.example:8080"), bound).unwrap_err();
        assert!(
            message.contains("DNS rebinding") && message.contains("http://127.0.0.1:8080/"),
            "{message}"
        );
        assert!(check(None, bound).unwrap_err().contains("no Host"));
    }
}
