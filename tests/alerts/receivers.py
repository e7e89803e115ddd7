"""Local receivers for delivery tests: an HTTP webhook that dedupes like Stripe, and an SMTP sink.

The webhook records every request that reached it (``arrivals``) and, separately, the effect
it applied once per Idempotency-Key (``processed``), so tests can say precisely what reached
the wire and what a deduping receiver acted on.
"""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Arrival:
    """One request as the receiver saw it, and the status it answered."""

    key: str | None
    status: int
    body: dict[str, Any]
    duplicate: bool = False


@dataclass
class Behaviour:
    """What the receiver answers: ``fail_with`` for the next ``failures`` requests, then 200."""

    failures: int = 0
    fail_with: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    hold_first: float = 0.0  # seconds to sit on the first request after processing it


class WebhookReceiver:
    """ThreadingHTTPServer on 127.0.0.1 that applies each Idempotency-Key at most once."""

    def __init__(self, port: int = 0) -> None:
        self.behaviour = Behaviour()
        self.arrivals: list[Arrival] = []
        self.processed: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        self.held = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                status, hold = receiver.handle(self.headers.get("Idempotency-Key"), body)
                if hold:
                    receiver.held.set()
                    receiver.release.wait(hold)
                self.send_response(status)
                for name, value in receiver.behaviour.headers.items() if status >= 300 else ():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def handle(self, key: str | None, body: dict[str, Any]) -> tuple[int, float]:
        """Decide the answer; a first-seen key is processed before any answer is sent."""
        with self.lock:
            b = self.behaviour
            if b.failures > 0:
                b.failures -= 1
                self.arrivals.append(Arrival(key, b.fail_with, body))
                return b.fail_with, 0.0
            duplicate = key is not None and key in self.processed
            if key is not None and not duplicate:
                self.processed[key] = body
            hold = b.hold_first if not any(a.status < 300 for a in self.arrivals) else 0.0
            self.arrivals.append(Arrival(key, 200, body, duplicate))
            return 200, hold

    def statuses(self, key: str) -> list[int]:
        """The answers given to every request that carried ``key``, in order."""
        with self.lock:
            return [a.status for a in self.arrivals if a.key == key]

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class MailSink:
    """aiosmtpd handler keeping every accepted message; refuses recipients listed in ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.refuse: set[str] = set()
        self.encrypted: list[bool] = []  # per message: did it arrive over TLS
        self.logins: list[tuple[bytes, bytes]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        self.encrypted.append(session.ssl is not None)
        return "250 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        """Accept user 'ops' with password 's3cret' (only offered over TLS by aiosmtpd's default)."""
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=(auth_data.login, auth_data.password) == (b"ops", b"s3cret"))


def start_smtp(sink: MailSink, host: str = "127.0.0.1", **kwargs: Any) -> Controller:
    """An SMTP server on ``host`` at a free port, running in its own thread."""
    controller = Controller(sink, hostname=host, port=free_port(), **kwargs)
    controller.start()
    return controller


def self_signed_tls(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting it) for a certificate valid for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client
