"""Which Web API methods exist and which arguments they take (spec/web_api_methods.json)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FIXTURE = Path(__file__).with_name("spec") / "web_api_methods.json"
IGNORED_ARGS = frozenset({"token"})


@dataclass(frozen=True)
class MethodSpec:
    name: str
    required: frozenset[str]
    optional: frozenset[str]
    one_of: tuple[frozenset[str], ...]
    errors: frozenset[str]
    scopes: frozenset[str]

    @property
    def args(self) -> frozenset[str]:
        return self.required | self.optional


@cache
def methods() -> dict[str, MethodSpec]:
    """The fixture's methods with its `_additions` merged in."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    additions: dict[str, Any] = data.get("_additions", {})
    common = additions.get("_common", {})
    merged: dict[str, MethodSpec] = {}
    everything = dict(data["methods"])
    for name, extra in additions.items():
        if isinstance(extra, dict) and "new_method" in extra and name not in everything:
            everything[name] = extra["new_method"]  # a method newer than the spec
    for name, base in everything.items():
        extra = additions.get(name, {})
        required = set(base["required"]) | set(extra.get("required", []))
        now_optional = set(extra.get("optional", [])) | set(common.get("optional", []))
        required -= now_optional
        optional = (set(base["optional"]) | now_optional) - required
        merged[name] = MethodSpec(
            name=name,
            required=frozenset(required),
            optional=frozenset(optional),
            one_of=tuple(frozenset(group) for group in extra.get("one_of", [])),
            errors=frozenset(
                set(base["errors"]) | set(extra.get("errors", [])) | set(common.get("errors", []))
            ),
            scopes=frozenset(base["scopes"]),
        )
    return merged


def method_spec(name: str) -> MethodSpec | None:
    return methods().get(name)


def check_call(method: str, args: Mapping[str, Any] | Iterable[str]) -> list[str]:
    """Problems with calling `method` with `args` (names, or a mapping): empty means fine.

    An argument whose value is None counts as absent, as slack_sdk drops those.
    """
    spec = method_spec(method)
    if spec is None:
        return [f"{method}: no such Web API method"]
    if isinstance(args, Mapping):
        given = {name for name, value in args.items() if value is not None}
    else:
        given = set(args)
    given -= IGNORED_ARGS
    problems = [
        f"{method}: missing required argument {name!r}" for name in sorted(spec.required - given)
    ]
    problems += [f"{method}: unknown argument {name!r}" for name in sorted(given - spec.args)]
    for group in spec.one_of:
        if not group & given:
            problems.append(f"{method}: needs one of {sorted(group)}")
    return problems
