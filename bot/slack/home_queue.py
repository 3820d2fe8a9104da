"""Home tabs the scheduler changed, republished off the hands that send the posts.

A group post (a prompt, a vote, the attendance check) changes what its members' Home shows.
Republishing is `views.publish`, Tier 4: about 100 a minute per workspace. Done by the hand
that sent the post, a busy minute's prompts would queue behind their members' Homes; so
the sender only hands the people over, and one thread per process republishes them: the
workspaces in turn, each person once however often handed over meanwhile. What is still
queued when the process stops costs only freshness: a Home is rebuilt whenever it is opened.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from bot.slack import home_tab
from bot.slack.gateway import Gateway, acting_for
from bot.store import Store

log = logging.getLogger(__name__)

Place = tuple[str, str | None]  # a workspace and its org (Enterprise Grid)


class HomeQueue:
    def __init__(self, store: Store, gateway: Gateway) -> None:
        self.store = store
        self.gateway = gateway
        self._cond = threading.Condition()
        self._waiting: dict[Place, dict[str, None]] = {}  # people in the order they came
        self._working = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def put(self, team_id: str, enterprise_id: str | None, people: Iterable[str]) -> None:
        with self._cond:
            if self._closed:
                return
            self._waiting.setdefault((team_id, enterprise_id), {}).update(dict.fromkeys(people))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="homes", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until every queued Home is republished; False if `timeout` ran out first."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._waiting and not self._working, timeout)

    def close(self) -> None:
        """Drop what is queued and stop once the Home in flight is out."""
        with self._cond:
            self._closed = True
            self._waiting.clear()
            self._cond.notify_all()

    def _run(self) -> None:
        while (turn := self._next()) is not None:
            (team_id, enterprise_id), person = turn
            try:
                with acting_for(team_id, enterprise_id):
                    home_tab.republish_for(self.store, self.gateway, team_id, [person])
            except Exception:  # this thread serves every later Home: it must go on
                log.exception("could not republish %s's Home tab in %s", person, team_id)
            finally:
                with self._cond:
                    self._working = False
                    self._cond.notify_all()

    def _next(self) -> tuple[Place, str] | None:
        """The first person of the workspace whose turn it is; that workspace then goes to
        the back of the line, so one with hundreds of Homes to redo holds up no other."""
        with self._cond:
            while not self._waiting and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            place = next(iter(self._waiting))
            people = self._waiting.pop(place)
            person = next(iter(people))
            del people[person]
            if people:
                self._waiting[place] = people  # to the back
            self._working = True
            return place, person
