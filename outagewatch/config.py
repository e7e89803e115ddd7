"""Settings: declared once, read with precedence CLI flag > OUTAGEWATCH_* env > outagewatch.toml > default.

Secrets are only read from the environment or a git-ignored ``secrets.toml`` beside the
config file, never from ``outagewatch.toml`` itself, so a config file can be shared safely.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from outagewatch.resources import data_path

Origin = Literal["flag", "env", "file", "secrets", "default"]
ENV_PREFIX = "OUTAGEWATCH_"


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names every place it can be set."""


def default_data_dir() -> Path:
    """Where the embedded database and local state live: XDG data home, like other CLI tools."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "outagewatch"


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting with its default and help text; the file key is ``section.key``."""

    name: str
    help: str
    default: Any = None
    secret: bool = False
    type: type = str

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def file_key(self) -> str:
        return self.name


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", "Folder for the embedded SQLite database and local state.", None),
    Setting("db_url", "SQLAlchemy URL of the store; default: SQLite file in data_dir.", None),
    Setting("watchlist", "TOML watch list of organizations, aliases and channels.", str(data_path("watchlist.toml"))),
    Setting("model_dir", "Folder of the classifier model (skops file and model card).", str(data_path("model"))),
    Setting("author_salt", "Salt for pseudonymous author keys; keep it stable within a project.", None, secret=True),
    Setting("keep_author_handles", "Store raw author handles (off: only salted hashes).", False, type=bool),
    Setting("reddit_client_id", "Reddit app client id (read-only script app).", None, secret=True),
    Setting("reddit_client_secret", "Reddit app client secret.", None, secret=True),
    Setting("reddit_user_agent", "User agent sent to Reddit.", "outagewatch/0.1 (outage signal monitor)"),
    Setting("reddit_base_url", "Reddit API base URL (a proxy or the replay server).", "https://oauth.reddit.com"),
    Setting("reddit_auth_url", "Reddit token endpoint base URL.", "https://www.reddit.com"),
    Setting("bluesky_handle", "Bluesky handle for authenticated search.", None),
    Setting("bluesky_app_password", "Bluesky app password (Settings > App passwords).", None, secret=True),
    Setting("bluesky_base_url", "Bluesky XRPC base URL (PDS).", "https://bsky.social"),
    Setting("jetstream_url", "Jetstream WebSocket URL.", "wss://jetstream2.us-east.bsky.network/subscribe"),
    Setting("mastodon_instances", "Comma-separated Mastodon instance URLs.", "https://mastodon.social"),
    Setting("mastodon_access_token", "Mastodon access token (needed for status search).", None, secret=True),
    Setting("http_timeout", "Seconds before a source request is abandoned.", 20.0, type=float),
    Setting("webhook_url", "Generic JSON webhook for alerts.", None),
    Setting("slack_webhook_url", "Slack incoming webhook for alerts.", None, secret=True),
    Setting("smtp_host", "SMTP server for e-mail alerts.", None),
    Setting("smtp_port", "SMTP port.", 587, type=int),
    Setting("smtp_user", "SMTP user name.", None),
    Setting("smtp_password", "SMTP password.", None, secret=True),
    Setting("smtp_from", "Sender address of alert e-mails.", "outagewatch@localhost"),
    Setting("alert_email_to", "Comma-separated recipients of alert e-mails.", None),
    Setting("dashboard_url", "Public URL of the dashboard, used in alert links.", "http://localhost:8501"),
    Setting("dashboard_port", "Port the dashboard listens on.", 8501, type=int),
)
BY_NAME = {s.name: s for s in SETTINGS}


def _convert(setting: Setting, value: Any, origin: str) -> Any:
    if value is None or isinstance(value, setting.type):
        return value
    text = str(value).strip()
    try:
        if setting.type is bool:
            if text.lower() in {"1", "true", "yes", "on"}:
                return True
            if text.lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(text)
        return setting.type(text)
    except ValueError:
        raise ConfigError(
            f"{setting.name} from {origin} must be a {setting.type.__name__}, got {text!r}. "
            f"Set it with {setting.flag}, {setting.env} or '{setting.file_key}' in outagewatch.toml."
        ) from None


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


@dataclass(frozen=True, slots=True)
class Settings:
    """The effective settings, each with the place its value came from."""

    values: Mapping[str, Any]
    origins: Mapping[str, Origin]
    config_file: Path

    @classmethod
    def load(
        cls,
        flags: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        config_file: Path | str | None = None,
    ) -> Settings:
        """Resolve every setting; ``flags`` holds CLI values (None means 'not given')."""
        flags = flags or {}
        environ = os.environ if environ is None else environ
        path = Path(config_file or environ.get(ENV_PREFIX + "CONFIG") or "outagewatch.toml")
        file_values = _read_toml(path)
        secret_values = _read_toml(path.with_name("secrets.toml"))
        values: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        for s in SETTINGS:
            if s.secret and s.file_key in file_values:
                raise ConfigError(
                    f"{s.name} is a secret and may not be in {path}; put it in {s.env} "
                    f"or in {path.with_name('secrets.toml')} (git-ignored)."
                )
            if flags.get(s.name) is not None:
                values[s.name], origins[s.name] = _convert(s, flags[s.name], "the command line"), "flag"
            elif environ.get(s.env) not in (None, ""):
                values[s.name], origins[s.name] = _convert(s, environ[s.env], s.env), "env"
            elif s.secret and s.file_key in secret_values:
                values[s.name], origins[s.name] = _convert(s, secret_values[s.file_key], "secrets.toml"), "secrets"
            elif not s.secret and s.file_key in file_values:
                values[s.name], origins[s.name] = _convert(s, file_values[s.file_key], str(path)), "file"
            else:
                values[s.name], origins[s.name] = s.default, "default"
        unknown = sorted(set(file_values) - set(BY_NAME))
        if unknown:
            raise ConfigError(f"{path} has unknown settings {unknown}; see `outagewatch config show` for the list.")
        if values["data_dir"] is None:
            values["data_dir"] = str(default_data_dir())
        if values["db_url"] is None:
            values["db_url"] = f"sqlite:///{Path(values['data_dir']) / 'outagewatch.db'}"
        return cls(values=values, origins=origins, config_file=path)

    def get(self, name: str) -> Any:
        """Return a setting's value (None when unset and optional)."""
        return self.values[name]

    def require(self, name: str) -> Any:
        """Return a setting's value, or fail with a message naming the flag, variable and file key."""
        value = self.values[name]
        if value is None or value == "":
            s = BY_NAME[name]
            where = "secrets.toml" if s.secret else self.config_file.name
            raise ConfigError(
                f"{name} is not set: {s.help} Pass {s.flag}, set {s.env}, or add '{s.file_key} = ...' to {where}."
            )
        return value

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(name, shown value, origin, env var) for `config show`, secrets masked."""
        out = []
        for s in SETTINGS:
            value = self.values[s.name]
            if s.name == "db_url" and value:
                from sqlalchemy.engine import make_url

                shown = make_url(value).render_as_string(hide_password=True)
            elif s.secret and value:
                shown = "**** (set)"
            else:
                shown = "" if value is None else str(value)
            out.append((s.name, shown, self.origins.get(s.name, "default"), s.env))
        return out
