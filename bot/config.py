"""Every setting, read from the environment and an optional `.env`, validated once."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///p2p.db"

# What to tell someone for each setting that is missing or wrong.
HOW_TO_FIX = {
    "slack_bot_token": "the Bot User OAuth Token (xoxb-...) from your app's "
    "'OAuth & Permissions' page at https://api.slack.com/apps",
    "slack_signing_secret": "the Signing Secret from your app's 'Basic Information' page "
    "at https://api.slack.com/apps",
    "slack_app_token": "an app-level token (xapp-...) with the connections:write scope, "
    "from your app's 'Basic Information' page (needed for Socket Mode only)",
    "slack_client_id": "the Client ID from your app's 'Basic Information' page (OAuth mode, "
    "for installing on many workspaces)",
    "slack_client_secret": "the Client Secret from your app's 'Basic Information' page "
    "(OAuth mode)",
    "p2p_token_key": "a key to encrypt the stored tokens with; make one with "
    "`p2p-bot new-key` and keep it secret (OAuth mode)",
    "slack_api_url": "the Slack Web API base URL ending in /api/, e.g. https://slack.com/api/ "
    "(GovSlack: https://slack-gov.com/api/)",
    "database_url": "an SQLAlchemy URL such as sqlite:///p2p.db or "
    "postgresql+psycopg://user:password@host:5432/p2p",
    "port": "a TCP port number between 1 and 65535",
    "log_level": "one of DEBUG, INFO, WARNING, ERROR",
}


class Settings(BaseSettings):
    # `.env` is read from the current working directory; the environment wins over it.
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    # OAuth mode (many workspaces, "Add to Slack"): client id and secret instead of a bot
    # token, and the key that encrypts the installations' tokens at rest (Fernet; several
    # comma-separated keys: the first encrypts, all decrypt).
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_redirect_uri: str | None = None
    p2p_token_key: str | None = None
    slack_api_url: str = "https://slack.com/api/"
    database_url: str = DEFAULT_DATABASE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    log_level: str = "INFO"

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except ArgumentError as exc:
            raise ValueError("is not a database URL") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("unknown log level")
        return level

    @field_validator("p2p_token_key")
    @classmethod
    def _token_key(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from cryptography.fernet import Fernet

        try:
            for key in value.split(","):
                Fernet(key.strip().encode())
        except ValueError:
            raise ValueError("is not a Fernet key (32 url-safe base64-encoded bytes)") from None
        return value

    @property
    def oauth_mode(self) -> bool:
        """Many workspaces installed through OAuth; a bot token means one workspace."""
        return not self.slack_bot_token and bool(self.slack_client_id or self.slack_client_secret)

    @property
    def token_keys(self) -> list[str]:
        return [k.strip() for k in (self.p2p_token_key or "").split(",") if k.strip()]

    def missing_for_slack(self, *, socket_mode: bool = False) -> list[str]:
        """Names of the settings the bot cannot talk to Slack without."""
        if self.oauth_mode and not socket_mode:
            needed = ["slack_client_id", "slack_client_secret", "slack_signing_secret"]
            needed.append("p2p_token_key")
        else:
            needed = ["slack_bot_token"]
            needed.append("slack_app_token" if socket_mode else "slack_signing_secret")
        return [name for name in needed if not getattr(self, name)]


class SettingsError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    try:
        return Settings(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else "settings"
        if error["type"] == "value_error":  # our own validators' words
            reason = error["msg"].removeprefix("Value error, ")
        elif name == "port":
            reason = f"is {error['input']!r}, not a port number"
        else:
            reason = "is not valid"
        hint = f" — set it to {HOW_TO_FIX[name]}" if name in HOW_TO_FIX else ""
        raise SettingsError(f"{name.upper()} {reason}{hint}.") from None


TOKEN_PATTERN = re.compile(r"\bxox[a-z]?[.-][A-Za-z0-9.-]+")


class RedactTokens(logging.Filter):
    """Tokens never reach a log, whoever logs them (slack_sdk logs responses at DEBUG,
    and oauth.v2.access answers with tokens)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if TOKEN_PATTERN.search(message):
            record.msg = TOKEN_PATTERN.sub("xox…(redacted)", message)
            record.args = None
        return True


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactTokens) for f in handler.filters):
            handler.addFilter(RedactTokens())
    # Alembic says which dialect it uses on every connection; `p2p-bot migrate` says itself
    # what it did.
    logging.getLogger("alembic").setLevel(logging.WARNING)
