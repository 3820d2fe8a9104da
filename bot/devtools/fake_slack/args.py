"""Reading Web API arguments the way Slack does: form strings or JSON values, same meaning."""

from __future__ import annotations

import json
from typing import Any


class SlackError(Exception):
    """Answer the call with {"ok": false, "error": code} (plus `extra` fields)."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.code, **self.extra}


def as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def as_str(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def as_json(value: Any, *, error: str = "invalid_arguments") -> Any:
    """A JSON argument: sent as a string in forms, as a value in JSON bodies."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise SlackError(error, response_metadata={"messages": [f"[ERROR] {exc}"]}) from exc
    return value


def as_int(value: Any, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise SlackError("invalid_arguments") from exc


def ts_value(value: Any, *, error: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SlackError(error) from exc
