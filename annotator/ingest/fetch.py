"""Reaching a URL from the server, safely: what every server-side request goes through (URL imports, webhooks).

Only http and https. Every address it connects to is checked after DNS, on the first request and on every redirect,
and the connection is made to that checked address (the host name still names the site for HTTP and TLS), so a
name that resolves to a public address when checked and a private one when connected (DNS rebinding) gets nowhere.
Loopback, private, shared, link-local (the cloud metadata address 169.254.169.254 among them), multicast, reserved
and unspecified addresses are refused; `allow_private` lets loopback and private ones through (intranets, tests),
never link-local, multicast or reserved ones. At most `max_redirects` redirects, `max_bytes` of body and
`timeout` seconds in all, DNS included. Pure: no database, no settings (the caller passes its limits).

`fetch` GETs a page; `post` sends a body (a webhook's delivery) and follows no redirect at all; `check_url` is the
check alone (a webhook's address when it is registered; `post` checks it again when it sends).
"""

from __future__ import annotations

import concurrent.futures
import datetime
import http.client
import ipaddress
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass

USER_AGENT = "editorial-annotator/0.1"
ACCEPT = "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.5"
REDIRECTS = {301, 302, 303, 307, 308}
_CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL could not be fetched; the message says why and is for the user."""


@dataclass
class Fetched:
    url: str  # as asked for
    final_url: str  # after redirects
    media_type: str  # the Content-Type header as sent ('' when none)
    data: bytes
    fetched_at: datetime.datetime


# What `allow_private` lets through: loopback, the private ranges (RFC 1918, unique local IPv6) and shared space.
PRIVATE = [
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
]


def check_address(address: str, *, allow_private: bool = False) -> None:
    """Refuse (FetchError) an IP address that a server-side fetch must not reach."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        raise FetchError(f"Not allowed: the address {ip} is link-local, multicast or reserved (never fetched).")
    if ip.is_global and not ip.is_reserved:
        return
    if allow_private and (ip.is_loopback or any(ip in network for network in PRIVATE)):
        return
    if ip.is_reserved or not ip.is_private and not ip.is_loopback:
        raise FetchError(f"Not allowed: the address {ip} is link-local, multicast or reserved (never fetched).")
    raise FetchError(f"Not allowed: the address {ip} is not public (loopback, private or reserved).")


def fetch(
    url: str,
    *,
    max_bytes: int,
    timeout: float = 10.0,
    max_redirects: int = 5,
    allow_private: bool = False,
    accept: str = ACCEPT,
) -> Fetched:
    """GET `url`, following redirects, within the limits; the body and where it came from, or FetchError."""
    deadline = time.monotonic() + timeout
    current = url.strip()
    for _ in range(max_redirects + 1):
        scheme, host, port, target, addresses = _checked(current, deadline, allow_private)
        connection, response = _request(scheme, host, port, target, addresses, deadline, accept)
        try:
            if response.status in REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(
                        f"The server answered a redirect (HTTP {response.status}) without saying where to."
                    )
                current = urllib.parse.urljoin(current, location.strip())
                continue
            if response.status == 404:
                raise FetchError("Not found: the server answered 404 for this address.")
            if response.status == 410:
                raise FetchError("Gone: the server answered 410 for this address (the page was removed).")
            if not 200 <= response.status < 300:
                raise FetchError(f"The server answered HTTP {response.status} ({response.reason}).")
            data = _read(connection, response, max_bytes, deadline)
            return Fetched(
                url=url,
                final_url=current,
                media_type=response.getheader("Content-Type", ""),
                data=data,
                fetched_at=datetime.datetime.now(datetime.UTC),
            )
        finally:
            response.close()
            connection.close()
    raise FetchError(f"Too many redirects: more than {max_redirects}.")


def _checked(url: str, deadline: float, allow_private: bool) -> tuple[str, str, int, str, list[str]]:
    """The URL's parts and the addresses its host resolves to, each of them checked."""
    scheme, host, port, target = _parse(url)
    addresses = _resolve(host, port, deadline)
    for address in addresses:
        check_address(address, allow_private=allow_private)
    return scheme, host, port, target, addresses


def check_url(url: str, *, timeout: float = 10.0, allow_private: bool = False) -> None:
    """Refuse (FetchError) a URL that a server-side request must not reach, as `fetch` and `post` would refuse it."""
    _checked(url.strip(), time.monotonic() + timeout, allow_private)


@dataclass
class Posted:
    status: int
    reason: str
    excerpt: bytes  # the start of the answer's body, at most `max_excerpt` bytes


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float = 10.0,
    allow_private: bool = False,
    max_excerpt: int = 1024,
) -> Posted:
    """POST `body` to `url` within `timeout` seconds; the answer's status and the start of its body, or FetchError.

    No redirect is followed: a 3xx is the answer (a webhook's receiver says where it is when it is registered)."""
    deadline = time.monotonic() + timeout
    scheme, host, port, target, addresses = _checked(url.strip(), deadline, allow_private)
    connection, response = _request(
        scheme, host, port, target, addresses, deadline, "*/*", method="POST", body=body, headers=headers
    )
    try:
        connection.pinned.settimeout(_remaining(deadline))
        excerpt = response.read1(max_excerpt) if max_excerpt else b""
    except TimeoutError:
        raise FetchError("Timed out: the server took too long to answer.") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"The connection broke while reading the answer ({exc}).") from None
    finally:
        response.close()
        connection.close()
    return Posted(status=response.status, reason=response.reason, excerpt=excerpt[:max_excerpt])


def _parse(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"This is not a valid address: {exc}.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"Not allowed: only http:// and https:// addresses are fetched, not {scheme or 'this'}:.")
    if not parts.hostname:
        raise FetchError("This address names no host.")
    if parts.username is not None or parts.password is not None:
        raise FetchError("Not allowed: an address with a user name or password in it is not fetched.")
    try:
        host = parts.hostname.encode("idna").decode("ascii") if not _is_ip(parts.hostname) else parts.hostname
    except UnicodeError:
        raise FetchError("This address's host name is not a valid name.") from None
    target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    if any(c in target for c in "\r\n ") or any(ord(c) > 127 for c in target):
        target = urllib.parse.quote(target, safe="/?&=%:@!$'()*+,;~-._")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("Timed out: the server took too long to answer.")
    return left


_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="fetch-dns")


def _resolve(host: str, port: int, deadline: float) -> list[str]:
    """The addresses the name resolves to, within the time left (getaddrinfo has no timeout of its own)."""
    if _is_ip(host):
        return [host]
    future = _resolver.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=_remaining(deadline))
    except concurrent.futures.TimeoutError:
        raise FetchError(f"Timed out: looking up {host} took too long.") from None
    except socket.gaierror:
        raise FetchError(f"The host {host} was not found (DNS).") from None
    # An IPv4 or IPv6 address is text; typeshed's sockaddr also allows other families' (int, bytes).
    addresses = list(dict.fromkeys(info[4][0] for info in infos if isinstance(info[4][0], str)))
    if not addresses:
        raise FetchError(f"The host {host} was not found (DNS).")
    return addresses


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to one checked address, naming the host in the Host header and for TLS."""

    def __init__(self, host: str, port: int, address: str, timeout: float, tls: ssl.SSLContext | None):
        super().__init__(host, port, timeout=timeout)
        self.address = address
        self.tls = tls

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host) if self.tls else sock
        self.pinned = self.sock  # kept: http.client lets go of self.sock when the response is the last on it


def _request(
    scheme: str,
    host: str,
    port: int,
    target: str,
    addresses: list[str],
    deadline: float,
    accept: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[_PinnedConnection, http.client.HTTPResponse]:
    tls = ssl.create_default_context() if scheme == "https" else None
    last_error: Exception | None = None
    for address in addresses:
        connection = _PinnedConnection(host, port, address, _remaining(deadline), tls)
        try:
            connection.request(
                method,
                target,
                body=body,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": accept,
                    "Accept-Encoding": "identity",
                    **(headers or {}),
                },
            )
            connection.pinned.settimeout(_remaining(deadline))
            return connection, connection.getresponse()
        except TimeoutError:
            connection.close()
            raise FetchError("Timed out: the server took too long to answer.") from None
        except ssl.SSLError as exc:
            connection.close()
            raise FetchError(f"The secure connection to {host} failed ({exc.reason or exc}).") from None
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            last_error = exc
    raise FetchError(f"Could not connect to {host} ({last_error}).")


def _read(connection, response, max_bytes: int, deadline: float) -> bytes:
    """The body, at most max_bytes, by the deadline; read in chunks so a slow or endless body is cut off."""
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"Too large: the page is {int(length):,} bytes; the limit is {max_bytes:,}.")
    chunks, size = [], 0
    try:
        while True:
            connection.pinned.settimeout(_remaining(deadline))
            chunk = response.read1(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"Too large: the page is over the limit of {max_bytes:,} bytes.")
            chunks.append(chunk)
            _remaining(deadline)
    except TimeoutError:
        raise FetchError("Timed out: the server took too long to send the page.") from None
    except (OSError, http.client.HTTPException) as exc:
        raise FetchError(f"The connection broke while reading the page ({exc}).") from None
    return b"".join(chunks)
