"""`outagewatch alerts test|dispatch|list`, run in-process against local receivers."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from outagewatch import runtime
from outagewatch.alerts.base import build_channel, configured_channels
from outagewatch.alerts.commands import register
from outagewatch.alerts.outbox import enqueue_incident_update
from outagewatch.config import ConfigError
from outagewatch.store import Store
from tests.alerts.conftest import T0, add_incident, settings_with


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Invoke the alerts commands with settings built from ``values`` only."""
    app = typer.Typer()
    register(app)
    runner = CliRunner()

    def invoke(args: list[str], **values: str):
        values.setdefault("db_url", f"sqlite:///{tmp_path / 'cli.db'}")
        values.setdefault("author_salt", "test-salt")
        monkeypatch.setattr(runtime, "_settings", settings_with(tmp_path, **values))
        monkeypatch.setenv("COLUMNS", "200")
        return runner.invoke(app, ["alerts", *args])

    return invoke


def test_alerts_test_sends_a_clearly_marked_test_alert(cli, receiver):
    result = cli(["test", "webhook"], webhook_url=receiver.url)
    assert result.exit_code == 0, result.output
    assert "test alert sent via webhook" in result.output
    [arrival] = receiver.arrivals
    assert arrival.body["type"] == "outagewatch.test"
    assert arrival.body["title"].startswith("[TEST - ignore]")
    assert "This is a TEST alert" in arrival.body["text"]
    assert arrival.key.startswith("outagewatch-test-webhook-")


def test_alerts_test_reports_a_failed_delivery(cli, receiver):
    receiver.behaviour.failures, receiver.behaviour.fail_with = 1, 403
    result = cli(["test", "webhook"], webhook_url=receiver.url)
    assert result.exit_code == 1
    assert "failed (permanent)" in result.output
    assert "HTTP 403" in result.output


def test_alerts_test_email_goes_through_smtp(cli, mail):
    sink, port = mail
    result = cli(["test", "email"], smtp_host="127.0.0.1", smtp_port=str(port), alert_email_to="a@x.org, b@x.org")
    assert result.exit_code == 0, result.output
    [(rcpts, raw)] = sink.messages
    assert rcpts == ["a@x.org", "b@x.org"]
    assert b"[TEST - ignore]" in raw


@pytest.mark.parametrize(
    ("channel", "missing"), [("webhook", "webhook_url"), ("slack", "slack_webhook_url"), ("email", "smtp_host")]
)
def test_unconfigured_channel_names_the_missing_setting(cli, tmp_path, channel, missing):
    with pytest.raises(ConfigError, match=f"{missing} is not set.*OUTAGEWATCH_{missing.upper()}"):
        build_channel(channel, settings_with(tmp_path))
    result = cli(["test", channel])
    assert isinstance(result.exception, ConfigError)  # cli.main prints it as one error line


def test_unknown_channel_lists_the_known_ones(tmp_path):
    with pytest.raises(ConfigError, match="known channels: email, slack, webhook"):
        build_channel("pager", settings_with(tmp_path))


def test_only_fully_configured_channels_are_used(tmp_path):
    settings = settings_with(tmp_path, webhook_url="http://127.0.0.1:9/", smtp_host="mail.example.org")
    assert list(configured_channels(settings)) == ["webhook"]  # email also needs alert_email_to


def test_dispatch_then_list(cli, tmp_path, receiver):
    store = Store.open(f"sqlite:///{tmp_path / 'cli.db'}", author_salt="test-salt")
    enqueue_incident_update(store, add_incident(store), 1, ["webhook", "email"], now=T0)
    store.close()
    result = cli(["dispatch"], webhook_url=receiver.url)
    assert result.exit_code == 0, result.output
    assert "claimed 1, sent 1, retry later 0, failed 0" in result.output
    assert len(receiver.processed) == 1
    listing = cli(["list"])
    assert listing.exit_code == 0, listing.output
    lines = [line for line in listing.output.splitlines() if "webhook" in line or "email" in line]
    assert len(lines) == 2
    assert any("sent" in line for line in lines if "webhook" in line)
    assert any("pending" in line for line in lines if "email" in line)


def test_dispatch_without_any_channel_says_what_to_set(cli):
    result = cli(["dispatch"])
    assert result.exit_code == 1
    assert "no alert channel is configured" in result.output


def test_dispatch_refuses_a_lease_shorter_than_the_timeout(cli, receiver):
    result = cli(["dispatch", "--lease", "5"], webhook_url=receiver.url, http_timeout="20")
    assert isinstance(result.exception, ConfigError)
    assert "must exceed http_timeout" in str(result.exception)
