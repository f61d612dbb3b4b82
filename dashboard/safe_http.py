"""The SSRF-safe client for customer-supplied URLs: resolve once, pin the address, refuse internal ranges."""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from flask import current_app

CONNECT_TIMEOUT = 5
READ_TIMEOUT = 10
MAX_RESPONSE_BYTES = 256 * 1024
# Cloud metadata services answer on these; named explicitly so the message says what they are.
METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


class UnsafeURL(Exception):
    """The URL may not be called (scheme, address, redirect…); `message` says why, for people.

    `kind` tells a refusal by these checks ("refused") from a call that failed on the way (`Unreachable`)."""

    kind = "refused"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Unreachable(UnsafeURL):
    """The URL was allowed but the call failed: `kind` is "dns" (the name does not resolve), "connect" (nothing
    accepted the connection), "timeout" (no answer in time) or "tls" (the certificate could not be verified)."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class SafeResponse:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes
    truncated: bool
    elapsed_ms: int
    address: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def allowed_hosts() -> set[str]:
    """Hosts exempt from the address checks (SAFE_HTTP_ALLOWED_HOSTS; empty by default, for tests)."""
    return {host.lower() for host in current_app.config.get("SAFE_HTTP_ALLOWED_HOSTS") or ()}


def blocked_reason(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why this address may not be called, or None when it is a public internet address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (("is_loopback", "a loopback address"), ("is_link_local", "a link-local address"),
              ("is_multicast", "a multicast address"), ("is_unspecified", "an unspecified address"),
              ("is_reserved", "a reserved address"), ("is_private", "a private network address"))
    for attribute, reason in checks:
        if getattr(address, attribute):
            return reason
    if not address.is_global:
        return "not a public internet address"
    return None


def _parse(url: str):
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"}:
        raise UnsafeURL("Only http:// and https:// URLs can be called.")
    if not parts.hostname:
        raise UnsafeURL("The URL has no host name.")
    if parts.username or parts.password:
        raise UnsafeURL("URLs with a user name or password are not supported; use a header parameter instead.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeURL("The URL's port is not a number between 1 and 65535.") from None
    return parts, parts.hostname.lower(), port


def _literal_address(host: str):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _resolve(host: str, port: int) -> list:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Unreachable("dns", f"The host name {host} could not be resolved.") from None
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _refuse_blocked(host: str, addresses: list) -> None:
    for address in addresses:
        reason = blocked_reason(address)
        if reason:
            named = f"{host} is" if str(address) == host else f"{host} resolves to {address}, which is"
            raise UnsafeURL(f"{named} {reason}; only public internet addresses can be called.")


def check_url(url: str, resolve: bool = True) -> None:
    """Refuse a URL that could reach internal addresses; names that do not resolve (yet) pass when saving."""
    parts, host, port = _parse(url)
    if host in allowed_hosts():
        return
    literal = _literal_address(host)
    if literal is not None:
        _refuse_blocked(host, [literal])
    elif resolve:
        try:
            addresses = _resolve(host, port)
        except Unreachable:
            return
        _refuse_blocked(host, addresses)


def pinned_address(url: str):
    """The parsed URL, host, port and the one address the request will use (checked, then pinned)."""
    parts, host, port = _parse(url)
    literal = _literal_address(host)
    addresses = [literal] if literal is not None else _resolve(host, port)
    if host not in allowed_hosts():
        _refuse_blocked(host, addresses)
    return parts, host, port, addresses[0]


def _pool(parts, host: str, port: int, address) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=READ_TIMEOUT)
    if parts.scheme == "https":
        # Connect to the pinned address, but verify the certificate for (and send SNI of) the name.
        return urllib3.HTTPSConnectionPool(str(address), port, timeout=timeout, retries=False, maxsize=1,
                                           cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
                                           server_hostname=host, assert_hostname=host)
    return urllib3.HTTPConnectionPool(str(address), port, timeout=timeout, retries=False, maxsize=1)


def request(method: str, url: str, headers: dict | None = None, body: bytes | None = None,
            max_bytes: int = MAX_RESPONSE_BYTES) -> SafeResponse:
    """Send one request to a customer-supplied URL; no redirects, a timeout, and at most `max_bytes` read."""
    parts, host, port, address = pinned_address(url)
    host_header = parts.netloc  # as written (IPv6 brackets, port); user info was refused above
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pool = _pool(parts, host, port, address)
    started = time.monotonic()
    try:
        response = pool.urlopen(method, target, body=body, headers={"Host": host_header, **(headers or {})},
                                redirect=False, retries=False, preload_content=False)
        chunks, size = [], 0
        for chunk in response.stream(16 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                break
        response.release_conn()
    except urllib3.exceptions.NewConnectionError:  # a subclass of the timeouts: refused or unreachable at once
        raise Unreachable("connect", f"{host} ({address}) did not accept a connection on port {port}.") from None
    except urllib3.exceptions.ConnectTimeoutError:
        raise Unreachable("timeout", f"{host} did not accept a connection within {CONNECT_TIMEOUT} seconds.") from None
    except urllib3.exceptions.TimeoutError:
        raise Unreachable("timeout", f"{host} did not answer within {READ_TIMEOUT} seconds.") from None
    except urllib3.exceptions.SSLError:
        raise Unreachable("tls", f"{host}'s TLS certificate could not be verified.") from None
    except urllib3.exceptions.HTTPError as error:
        raise Unreachable("connect", f"{host} could not be reached ({type(error).__name__}).") from None
    except ValueError as error:  # http.client refuses header names/values with control characters
        raise UnsafeURL(f"The request could not be sent: {error}.") from None
    finally:
        pool.close()
    elapsed_ms = round((time.monotonic() - started) * 1000)
    if 300 <= response.status < 400:
        location = response.headers.get("Location", "")
        raise UnsafeURL(f"{host} answered {response.status} redirecting to {location or 'another URL'}; "
                        "redirects are not followed.")
    body_bytes = b"".join(chunks)
    return SafeResponse(status=response.status, reason=response.reason or "", headers=dict(response.headers),
                        body=body_bytes[:max_bytes], truncated=len(body_bytes) > max_bytes,
                        elapsed_ms=elapsed_ms, address=str(address))
