"""The scheduler: what is due at `now` (pure), claiming each post once, and the heartbeat.

Importing it installs the index hook (`index.py`): from then on every transaction that
changes a group's plan refreshes that group's next due moment.
"""

from bot.schedule import index as index
