//! Binding the port, the URLs to print, opening a browser.

use std::io::ErrorKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};

use super::ServeError;

pub(crate) fn bind(ip: IpAddr, port: u16) -> Result<TcpListener, ServeError> {
    let addr = SocketAddr::new(ip, port);
    TcpListener::bind(addr).map_err(|source| match source.kind() {
        ErrorKind::AddrInUse => ServeError::PortInUse {
            port,
            bind: ip,
            suggestion: free_port_after(ip, port),
        },
        ErrorKind::PermissionDenied => ServeError::Bind {
            addr,
            source,
            hint: " (ports below 1024 need administrator rights; try --port 1111)",
        },
        ErrorKind::AddrNotAvailable => ServeError::Bind {
            addr,
            source,
            hint: " (is the --bind address one of this machine's?)",
        },
        _ => ServeError::Bind {
            addr,
            source,
            hint: "",
        },
    })
}

/// The first free port after `port`, to suggest.
fn free_port_after(ip: IpAddr, port: u16) -> u16 {
    (1..=20)
        .filter_map(|i| port.checked_add(i))
        .find(|&p| TcpListener::bind((ip, p)).is_ok())
        .unwrap_or_else(|| port.wrapping_add(1).max(1024))
}

/// Raises this process's soft limit on open files toward its hard limit
/// (at most 4096): every connection is a descriptor, and macOS starts
/// programs at 256, fewer than a room of 300 tabs. Failure leaves the limit
/// as it was; the server then refuses what it cannot accept.
pub(crate) fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        const WANTED: libc::rlim_t = 4096;
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit only read and write the struct given.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 || limit.rlim_cur >= WANTED {
                return;
            }
            limit.rlim_cur = WANTED.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// The URLs to print: the address itself, or for an unspecified address
/// (`0.0.0.0`, `::`) loopback first, then this machine's other addresses.
pub(crate) fn urls(bind: IpAddr, port: u16) -> Vec<String> {
    let url = |ip: IpAddr| format!("http://{}/", SocketAddr::new(ip, port));
    if !bind.is_unspecified() {
        return vec![url(bind)];
    }
    let loopback = match bind {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    let mut urls = vec![url(loopback)];
    for ip in local_addresses() {
        // `::` usually accepts IPv4 too (dual stack); `0.0.0.0` never IPv6.
        if bind.is_ipv6() || ip.is_ipv4() {
            let u = url(ip);
            if !urls.contains(&u) {
                urls.push(u);
            }
        }
    }
    urls
}

/// Non-loopback addresses of this machine: the one with the default route
/// first (a UDP "connect" sends no packet), then on Linux every other local
/// IPv4 address.
fn local_addresses() -> Vec<IpAddr> {
    let mut found = Vec::new();
    for (local, probe) in [("0.0.0.0:0", "192.0.2.1:9"), ("[::]:0", "[2001:db8::1]:9")] {
        let routed = UdpSocket::bind(local).and_then(|s| {
            s.connect(probe)?;
            s.local_addr()
        });
        if let Ok(addr) = routed {
            found.push(addr.ip());
        }
    }
    #[cfg(target_os = "linux")]
    if let Ok(trie) = std::fs::read_to_string("/proc/net/fib_trie") {
        found.extend(parse_fib_trie(&trie));
    }
    let mut unique = Vec::new();
    for ip in found {
        let link_local = matches!(ip, IpAddr::V6(v6) if (v6.segments()[0] & 0xffc0) == 0xfe80);
        if !ip.is_loopback() && !ip.is_unspecified() && !link_local && !unique.contains(&ip) {
            unique.push(ip);
        }
    }
    unique
}

/// Local addresses in `/proc/net/fib_trie`: an `|-- a.b.c.d` line followed by
/// `/32 host LOCAL`.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn parse_fib_trie(trie: &str) -> Vec<IpAddr> {
    let mut found = Vec::new();
    let mut last: Option<Ipv4Addr> = None;
    for line in trie.lines() {
        let line = line.trim();
        if let Some(ip) = line.strip_prefix("|-- ") {
            last = ip.parse().ok();
        } else if line.contains("/32 host LOCAL")
            && let Some(ip) = last.take()
        {
            found.push(IpAddr::V4(ip));
        }
    }
    found
}

/// Opens `url` in the default browser; failures are reported, never fatal.
pub(crate) fn open_browser(url: &str) {
    use std::process::{Command, Stdio};
    let mut command = if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        Command::new("xdg-open")
    };
    let spawned = command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reap it so it does not linger as a zombie.
            std::thread::spawn(move || child.wait());
        }
        Err(error) => eprintln!("campfire: could not open a browser ({error}); open {url}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_for_loopback_and_any() {
        let v4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
        assert_eq!(urls(v4, 1111), ["http://127.0.0.1:1111/"]);
        let any = urls(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 1111);
        assert_eq!(any[0], "http://127.0.0.1:1111/");
        assert!(any.iter().all(|u| !u.contains("0.0.0.0")));
        let v6 = urls(IpAddr::V6(Ipv6Addr::LOCALHOST), 8080);
        assert_eq!(v6, ["http://[::1]:8080/"]);
    }

    #[test]
    fn fib_trie() {
        let trie = "Main:\n  +-- 0.0.0.0/0 3 0 5\n     |-- 0.0.0.0\n        /0 universe UNICAST\n     \
                    |-- 127.0.0.1\n        /32 host LOCAL\n     |-- 192.168.1.7\n        \
                    /32 host LOCAL\n     |-- 192.168.1.255\n        /32 link BROADCAST\n";
        let ips: Vec<String> = parse_fib_trie(trie).iter().map(|i| i.to_string()).collect();
        assert_eq!(ips, ["127.0.0.1", "192.168.1.7"]);
    }

    #[test]
    fn port_in_use_suggests_another() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let error = bind(IpAddr::V4(Ipv4Addr::LOCALHOST), port).unwrap_err();
        let text = error.to_string();
        assert!(
            text.contains(&format!("port {port} on 127.0.0.1 is already in use")),
            "{text}"
        );
        assert!(text.contains("try --port "), "{text}");
    }
}
