"""Fuzz the real HTTP app with every kind of request Slack sends, mutated.

`python -m tests.fuzz --examples 20000` runs many examples and prints what it saw; the
test suite runs the same property with fewer (tests/test_fuzz_requests.py).

The property: whatever arrives, the answer is never a 5xx and nothing logs a traceback;
a request that is refused (4xx) changes nothing stored. Each example starts from a real
request captured while people used the app (a slash command, a button click, a modal
submitted or closed, a message event, App Home opened) and then drops fields, swaps in
values of the wrong type, huge or odd unicode text, or breaks the encoding or signature.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import hmac
import json
import logging
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.devtools.fake_slack import FakeSlack
from bot.devtools.workspace import SIGNING_SECRET, SimulatedWorkspace
from bot.slack import ids
from bot.store import Store
from bot.store.migrate import upgrade
from bot.web import MAX_BODY_BYTES
from tests.slack.people import ANA, BEN, CHANNEL, FAC, PEOPLE, recruit, recruitment
from tests.snapshot import stored

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Captured:
    kind: str  # command | interaction | event
    data: dict[str, Any]


@dataclass
class Tally:
    tried: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    tracebacks: list[str] = field(default_factory=list)
    changed_when_refused: list[str] = field(default_factory=list)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


class _Tracebacks(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            error = record.exc_info[1]
            self.seen.append(f"{record.name}: {record.getMessage()} ({error!r})")


class Bench:
    """One seeded workspace shared by every example (a fresh one each would be too slow)."""

    def __init__(self, ws: SimulatedWorkspace) -> None:
        self.ws = ws
        self.captured: list[Captured] = []
        self.tally = Tally()
        self.tracebacks = _Tracebacks()
        self.last_stored: dict[str, Any] | None = None

    def send(self, body: bytes, content_type: str, *, sign: bool = True) -> int:
        timestamp = str(int(time.time()))
        signature = signed(body, timestamp) if sign else "v0=" + "0" * 64
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature,
        }
        return self.ws.driver.raw(body, headers).status


def signed(body: bytes, timestamp: str) -> str:
    digest = hmac.new(SIGNING_SECRET.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256)
    return "v0=" + digest.hexdigest()


@contextmanager
def bench() -> Iterator[Bench]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'fuzz.db'}"
        upgrade(url)
        store = Store.from_url(url)
        fake = FakeSlack().start()
        for user_id, name, tz in PEOPLE:
            fake.add_user(user_id, name=name, real_name=name.title(), tz=tz)
        fake.add_channel(CHANNEL, name="learning", members=[p[0] for p in PEOPLE])
        try:
            with SimulatedWorkspace(store, fake) as ws:
                the_bench = Bench(ws)
                _seed(the_bench)
                root = logging.getLogger()
                level = root.level
                root.addHandler(the_bench.tracebacks)
                root.setLevel(min(level, logging.WARNING))
                try:
                    yield the_bench
                finally:
                    root.removeHandler(the_bench.tracebacks)
                    root.setLevel(level)
        finally:
            fake.stop()
            store.dispose()


def _seed(the_bench: Bench) -> None:
    """People use the app; every request they send is kept as a template."""
    ws = the_bench.ws
    driver = ws.driver
    original = driver.raw

    def capture(body: bytes, headers: Any) -> Any:
        text = body.decode()
        if headers.get("Content-Type") == "application/json":
            the_bench.captured.append(Captured("event", json.loads(text)))
        else:
            form = dict(parse_qsl(text))
            if "payload" in form:
                the_bench.captured.append(Captured("interaction", json.loads(form["payload"])))
            else:
                the_bench.captured.append(Captured("command", form))
        return original(body, headers)

    driver.raw = capture  # type: ignore[method-assign]
    try:
        recruit(ws)
        ws.command(ANA, "propose Raft https://raft.github.io", channel_id=CHANNEL)
        ws.command(BEN, "status", channel_id=CHANNEL)
        ws.command(FAC, "settings", channel_id=CHANNEL)
        modal = ws.fake.open_modal(FAC)
        if modal is not None:
            driver.close_view(FAC, modal)
        ws.click(BEN, recruitment(ws), ids.LEAVE)
        ws.post(ANA, CHANNEL, "I found a good paper on Paxos")
        ws.post(ANA, ANA, "hello bot")
        driver.open_home(ANA)
        ws.settle()
    finally:
        driver.raw = original  # type: ignore[method-assign]


# --- strategies --------------------------------------------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
_json = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
_huge = st.builds(lambda ch, n: ch * n, st.characters(), st.integers(2_000, 40_000))
_odd_text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60
)
_replacement = _json | _huge | _odd_text | st.sampled_from(["", "0", "-1", "1:2", "9999999999:1"])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


def _mutate(data: Any, path: tuple[Any, ...], how: str, replacement: Any) -> None:
    parent = data
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return  # an earlier mutation removed it
    key = path[-1]
    if isinstance(parent, list) and not (isinstance(key, int) and key < len(parent)):
        return  # an earlier mutation changed its shape
    if not isinstance(parent, dict | list):
        return
    if how == "drop":
        with suppress(KeyError):
            del parent[key]
    else:
        parent[key] = replacement


@st.composite
def requests(
    draw: st.DrawFn, templates: list[tuple[Captured, list[tuple[Any, ...]]]]
) -> tuple[bytes, str, bool]:
    """(body, content type, signed?) from one of the captured requests and its paths."""
    template, paths = templates[draw(st.integers(0, len(templates) - 1))]
    data = copy.deepcopy(template.data)
    for _ in range(draw(st.integers(0, 4))):
        path = paths[draw(st.integers(0, len(paths) - 1))]
        how = draw(st.sampled_from(["drop", "replace"]))
        _mutate(data, path, how, draw(_replacement))
    if template.kind == "command":
        if draw(st.booleans()):
            words = draw(
                st.sampled_from(
                    [
                        "",
                        "help",
                        "start",
                        "status",
                        "propose",
                        "leave",
                        "kickoff",
                        "skip",
                        "move",
                        "pause",
                        "resume",
                        "settings",
                        "end",
                        "nonsense",
                    ]
                )
            )
            data["text"] = f"{words} {draw(_odd_text | _huge | st.just(''))}"
        form = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        body, content_type = urlencode(form).encode(), FORM
    elif template.kind == "interaction":
        body, content_type = urlencode({"payload": json.dumps(data)}).encode(), FORM
    else:
        body, content_type = json.dumps(data).encode(), "application/json"
    breakage = draw(st.sampled_from(["none"] * 12 + ["truncate", "garble", "unsigned", "array"]))
    if breakage == "truncate":
        body = body[: draw(st.integers(0, max(0, len(body) - 1)))]
    elif breakage == "garble":
        body = draw(st.binary(max_size=200))
    elif breakage == "array":
        body, content_type = json.dumps([data]).encode(), "application/json"
    # Larger bodies are cut off by the server before they are read (tests/slack/test_bad_requests)
    return body[:MAX_BODY_BYTES], content_type, breakage != "unsigned"


def check(the_bench: Bench, request: tuple[bytes, str, bool]) -> None:
    body, content_type, sign = request
    before = the_bench.last_stored or stored(the_bench.ws.store)
    seen = len(the_bench.tracebacks.seen)
    status = the_bench.send(body, content_type, sign=sign)
    the_bench.ws.settle()
    tally = the_bench.tally
    tally.tried += 1
    tally.statuses[status] += 1
    new = the_bench.tracebacks.seen[seen:]
    tally.tracebacks.extend(new)
    assert status < 500, f"{status} for {body[:300]!r}: {new}"
    assert not new, f"traceback for {body[:300]!r}: {new}"
    if not sign:  # refused unread: for its signature, or (at the size cap) for its size
        refusals = {401, 413} if len(body) >= MAX_BODY_BYTES else {401}
        assert status in refusals, f"{status} for an unsigned {body[:200]!r}"
    the_bench.last_stored = after = stored(the_bench.ws.store)
    if status >= 400:
        assert after == before, f"{status} but the database changed, for {body[:300]!r}"


def run(the_bench: Bench, examples: int, *, derandomize: bool = False) -> None:
    """`derandomize`: the same examples every run (the test suite); else new ones each time."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=requests([(c, list(_paths(c.data))) for c in the_bench.captured]))
    def property_holds(request: tuple[bytes, str, bool]) -> None:
        check(the_bench, request)

    property_holds()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000)
    args = parser.parse_args(argv)
    started = time.monotonic()
    with bench() as the_bench:
        failed = None
        try:
            run(the_bench, args.examples)
        except Exception as error:  # report the figures, then the counterexample
            failed = error
        tally = the_bench.tally
    print(f"examples tried: {tally.tried} in {time.monotonic() - started:.0f} s")
    print("answers: " + ", ".join(f"{s}×{n}" for s, n in sorted(tally.statuses.items())))
    print(f"5xx seen: {tally.server_errors}")
    print(f"tracebacks logged: {len(tally.tracebacks)}")
    if failed is not None:
        print(f"property failed: {failed}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
