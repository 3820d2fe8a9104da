"""Regenerate web_api_methods.json from Slack's OpenAPI spec, keeping its hand-kept `_additions`.

    python -m bot.devtools.spec.derive [--check] [--spec PATH]

The spec lives in shared/slack-specs beside this repo (not in users' clones), so the derived
fixture is committed and is what the tests read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEC_RELATIVE = "web-api/slack_web_openapi_v2_without_examples.json"
DEFAULT_SPEC = REPO_ROOT.parent / "shared" / "slack-specs" / SPEC_RELATIVE
FIXTURE = Path(__file__).with_name("web_api_methods.json")

# What the fake implements, plus the neighbours it also answers.
METHODS = (
    "auth.test",
    "chat.delete",
    "chat.getPermalink",
    "chat.postEphemeral",
    "chat.postMessage",
    "chat.update",
    "conversations.history",
    "conversations.info",
    "conversations.join",
    "conversations.members",
    "conversations.open",
    "conversations.replies",
    "oauth.v2.access",
    "reactions.add",
    "reactions.remove",
    "users.info",
    "views.open",
    "views.publish",
    "views.push",
    "views.update",
)

SOURCE = {
    "spec_file": SPEC_RELATIVE,
    "repo": "slackapi/slack-api-specs",
    "repo_snapshot": "bc08db49625630e3585bf2f1322128ea04f2a7f3 (2021-09-03)",
    "file_last_changed": "dfea73e06d146c368d7f94b52ac90796dc4e27e1 (2020-10-06)",
    "licence": "MIT, Copyright (c) 2017 SlackAPI",
    "how": "methods: derived by `python -m bot.devtools.spec.derive` from shared/slack-specs "
    "beside the repo; users' clones do not have shared/, so this derived file is committed. "
    "_additions: kept by hand, one docs.slack.dev source per method, for what the 2020 spec "
    "lacks or gets wrong. Token is an Authorization header and is left out.",
}


def derive(spec: dict[str, Any], additions: dict[str, Any]) -> dict[str, Any]:
    methods: dict[str, Any] = {}
    for name in METHODS:
        path = spec["paths"].get(f"/{name}")
        if path is None:
            raise SystemExit(f"{name} is not in the spec")
        (operation,) = path.values()
        params = [p for p in operation.get("parameters", []) if p["name"] != "token"]
        default = operation.get("responses", {}).get("default", {}).get("schema", {})
        scopes = sorted(
            {s for entry in operation.get("security", []) for v in entry.values() for s in v}
        )
        methods[name] = {
            "docs": operation.get("externalDocs", {}).get("url", ""),
            "required": sorted(p["name"] for p in params if p.get("required")),
            "optional": sorted(p["name"] for p in params if not p.get("required")),
            "scopes": scopes,
            "errors": sorted(default.get("properties", {}).get("error", {}).get("enum", [])),
        }
    return {"_source": SOURCE, "methods": methods, "_additions": additions}


def render(fixture: dict[str, Any]) -> str:
    """JSON with one line per field: lists of names stay on one line, so diffs stay readable."""
    return _render(fixture, 0) + "\n"


def _render(value: Any, depth: int) -> str:
    if not isinstance(value, dict) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (depth + 1)
    items = [f"{pad}{json.dumps(k)}: {_render(v, depth + 1)}" for k, v in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--check", action="store_true", help="exit 1 if the fixture is stale")
    options = parser.parse_args(argv)
    if not options.spec.is_file():
        print(f"spec not found: {options.spec}", file=sys.stderr)
        return 2
    current = FIXTURE.read_text(encoding="utf-8") if FIXTURE.exists() else ""
    additions = json.loads(current).get("_additions", {}) if current else {}
    spec = json.loads(options.spec.read_text(encoding="utf-8"))
    fresh = render(derive(spec, additions))
    if options.check:
        if fresh != current:
            print(f"{FIXTURE} is stale: run python -m bot.devtools.spec.derive", file=sys.stderr)
            return 1
        return 0
    FIXTURE.write_text(fresh, encoding="utf-8")
    print(f"wrote {FIXTURE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
