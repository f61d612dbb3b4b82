"""The SSRF-safe client refuses internal addresses, other schemes and redirects; allowed test hosts get through."""
import datetime
import http.server
import ipaddress
import socket
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask

from dashboard import safe_http


@pytest.fixture
def app():
    """The client only reads its settings from the app: no database needed (keeps these tests fast)."""
    app = Flask(__name__)
    with app.app_context():
        yield app


@pytest.fixture
def allowing(app):
    app.config["SAFE_HTTP_ALLOWED_HOSTS"] = ["127.0.0.1"]
    return app


@pytest.mark.parametrize(("url", "reason"), [
    ("http://127.0.0.1/", "loopback"),
    ("http://[::1]:8080/", "loopback"),
    ("http://10.0.0.5/admin", "private network"),
    ("http://192.168.1.1/", "private network"),
    ("http://172.16.0.1/", "private network"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://[fe80::1]/", "link-local"),
    ("http://[fc00::1]/", "private network"),
    ("http://224.0.0.1/", "multicast"),
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://100.64.0.1/", "not a public internet address"),
    ("http://localhost:5000/", "resolves to"),
])
def test_internal_addresses_are_refused(app, url, reason):
    with pytest.raises(safe_http.UnsafeURL) as refused:
        safe_http.request("GET", url)
    assert reason in refused.value.message
    with pytest.raises(safe_http.UnsafeURL):
        safe_http.check_url(url)


@pytest.mark.parametrize(("url", "message"), [
    ("file:///etc/passwd", "Only http:// and https://"),
    ("gopher://example.com/", "Only http:// and https://"),
    ("ftp://example.com/x", "Only http:// and https://"),
    ("https://user:pw@example.com/", "user name or password"),
    ("https:///nohost", "no host name"),
])
def test_other_schemes_and_credentials_are_refused(app, url, message):
    with pytest.raises(safe_http.UnsafeURL) as refused:
        safe_http.request("GET", url)
    assert message in refused.value.message


def test_public_addresses_pass_the_check(app):
    assert safe_http.blocked_reason(__import__("ipaddress").ip_address("93.184.215.14")) is None
    safe_http.check_url("https://93.184.215.14/")
    safe_http.check_url("https://name-that-does-not-resolve.invalid/")  # saved now, checked again when called


def test_an_allowed_host_is_called_with_the_pinned_address(allowing, local_server):
    response = safe_http.request("GET", f"{local_server.base_url}/slots?day=1")
    assert response.status == 200 and response.address == "127.0.0.1"
    assert b'"slots"' in response.body and response.elapsed_ms >= 0
    assert local_server.requests[0]["headers"]["Host"] == f"127.0.0.1:{local_server.port}"


def test_redirects_are_not_followed(allowing, local_server):
    with pytest.raises(safe_http.UnsafeURL) as refused:
        safe_http.request("GET", f"{local_server.base_url}/redirect")
    assert "redirects are not followed" in refused.value.message
    assert len(local_server.requests) == 1


def test_the_response_is_capped(allowing, local_server):
    response = safe_http.request("GET", f"{local_server.base_url}/big", max_bytes=10)
    assert len(response.body) == 10 and response.truncated


def test_without_the_setting_the_local_server_is_refused(app, local_server):
    with pytest.raises(safe_http.UnsafeURL) as refused:
        safe_http.request("GET", f"{local_server.base_url}/slots")
    assert "loopback" in refused.value.message
    assert local_server.requests == []


def test_failures_say_what_failed_apart_from_refusals(allowing):
    """A refused connection was reported as "did not answer within 15 seconds"; a name that does not resolve as a
    refusal. Each failure now has its kind (the Test tool explains each)."""
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    with pytest.raises(safe_http.Unreachable) as failed:
        safe_http.request("GET", f"http://127.0.0.1:{closed}/")
    assert failed.value.kind == "connect" and "did not accept a connection" in failed.value.message
    with pytest.raises(safe_http.Unreachable) as failed:
        safe_http.request("GET", "https://name-that-does-not-resolve.invalid/")
    assert failed.value.kind == "dns"
    with pytest.raises(safe_http.UnsafeURL) as refused:
        safe_http.request("GET", "http://10.0.0.5/")
    assert refused.value.kind == "refused" and not isinstance(refused.value, safe_http.Unreachable)


@pytest.fixture
def untrusted_https(tmp_path):
    """An HTTPS server on 127.0.0.1 whose certificate nobody vouches for (self-signed, made for this test)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
                   .not_valid_after(now + datetime.timedelta(hours=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .sign(key, hashes.SHA256()))
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_an_untrusted_certificate_is_a_tls_failure_not_a_timeout_or_a_refusal(allowing, untrusted_https):
    with pytest.raises(safe_http.Unreachable) as failed:
        safe_http.request("GET", untrusted_https)
    assert failed.value.kind == "tls" and "TLS certificate could not be verified" in failed.value.message
