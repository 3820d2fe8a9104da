"""`python -m tests.faults --trials 50`: many trials of a whole cycle under fire, counted.

Needs PostgreSQL at P2P_TEST_PG_HOST:P2P_TEST_PG_PORT (127.0.0.1:5432 by default).
"""

from __future__ import annotations

import argparse
import logging
import time

from bot.store.migrate import upgrade
from tests import databases
from tests.faults.cycle import FAULTS, calm_run, trial

DATABASE = "p2p_faults"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--faults", default=",".join(FAULTS), help=",".join(FAULTS))
    parser.add_argument("--weeks", type=int, default=2, help="the cycle's length")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    faults = tuple(f for f in args.faults.split(",") if f)
    url = databases.create_postgres_database(DATABASE)
    try:
        upgrade(url)
        due, ticks = calm_run(url, weeks=args.weeks)
        print(f"due in a calm run: {len(due)} posts over {len(ticks)} ticks")
        duplicates = missing = 0
        for n in range(args.trials):
            began = time.monotonic()
            outcome = trial(url, due, ticks, seed=args.seed + n, faults=faults, weeks=args.weeks)
            duplicates += len(outcome.duplicates)
            missing += len(outcome.missing)
            print(
                f"trial {n + 1}: {sum(outcome.posted.values())} posts, "
                f"duplicates {outcome.duplicates or 0}, missing {outcome.missing or 0}, "
                f"given up {outcome.given_up or 0}, unexpected {outcome.unexpected or 0} "
                f"({len(outcome.faults)} faults, {time.monotonic() - began:.0f} s)",
                flush=True,
            )
        print(f"trials {args.trials}, duplicates {duplicates}, missing {missing}")
        return 1 if duplicates or missing else 0
    finally:
        databases.drop_postgres_database(DATABASE)


if __name__ == "__main__":
    raise SystemExit(main())
