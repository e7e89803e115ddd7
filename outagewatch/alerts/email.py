"""E-mail over SMTP: STARTTLS whenever the server offers it, a timeout, a stable Message-ID.

The Message-ID derives from the alert's idempotency key, so a resend after a crash carries
the same ID and mail systems that dedupe on it (many clients and some providers do) show it once.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from outagewatch.alerts.base import Channel, DeliveryError, idempotency_key
from outagewatch.alerts.message import render
from outagewatch.config import Settings
from outagewatch.models import Alert

LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def smtp_error(exc: Exception) -> DeliveryError:
    """Classify an SMTP failure: 5xx replies are permanent, 4xx and connection trouble are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return DeliveryError(f"recipients refused: {exc.recipients}", retryable=any(c < 500 for c in codes))
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int):
        return DeliveryError(f"SMTP {code}: {getattr(exc, 'smtp_error', exc)!r}", retryable=code < 500)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(f"TLS certificate rejected: {exc}", retryable=False)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(f"SMTP server lacks a feature: {exc}", retryable=False)
    return DeliveryError(f"{type(exc).__name__}: {exc}", retryable=True)


class EmailChannel(Channel):
    """Sends one plain-text e-mail per alert to the configured recipients."""

    name = "email"
    required_settings = ("smtp_host", "alert_email_to")

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: list[str],
        dashboard_url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.host, self.port, self.sender, self.recipients = host, port, sender, recipients
        self.dashboard_url = dashboard_url
        self.user, self.password, self.timeout = user, password, timeout
        # The system's trusted CAs by default; a private CA (or a test) can pass its own context.
        self.tls_context = tls_context or ssl.create_default_context()

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailChannel:
        """Needs smtp_host and alert_email_to; smtp_user/smtp_password only for servers that want a login."""
        host = settings.require("smtp_host")
        recipients = [r.strip() for r in str(settings.require("alert_email_to")).split(",") if r.strip()]
        return cls(
            host,
            int(settings.get("smtp_port")),
            settings.get("smtp_from"),
            recipients,
            settings.get("dashboard_url"),
            user=settings.get("smtp_user"),
            password=settings.get("smtp_password"),
            timeout=float(settings.get("http_timeout")),
        )

    def message(self, alert: Alert) -> EmailMessage:
        """The e-mail: subject = title, body = facts, examples and link; Message-ID from the key."""
        rendered = render(alert.payload, self.dashboard_url)
        key = idempotency_key(alert)
        domain = self.sender.rpartition("@")[2] or "outagewatch.local"
        mail = EmailMessage()
        mail["Subject"] = f"[OutageWatch] {rendered.title}"
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
        mail["X-OutageWatch-Key"] = key
        mail.set_content(rendered.as_text())
        return mail

    def _connect(self) -> smtplib.SMTP:
        if self.port == 465:  # implicit TLS ("SMTPS")
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self.tls_context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        smtp.ehlo()
        if smtp.has_extn("starttls"):
            smtp.starttls(context=self.tls_context)
            smtp.ehlo()
        elif self.user and self.host not in LOOPBACK:
            smtp.close()
            raise DeliveryError(
                f"{self.host}:{self.port} does not offer STARTTLS; refusing to send smtp_password in clear text",
                retryable=False,
            )
        return smtp

    def send(self, alert: Alert) -> None:
        """Connect, upgrade to TLS when offered, log in if configured, send, quit."""
        if not self.recipients:
            raise DeliveryError("alert_email_to lists no recipients", retryable=False)
        mail = self.message(alert)
        try:
            with self._connect() as smtp:
                if self.user:
                    smtp.login(self.user, self.password or "")
                smtp.send_message(mail, from_addr=self.sender, to_addrs=self.recipients)
        except DeliveryError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            raise smtp_error(exc) from exc
