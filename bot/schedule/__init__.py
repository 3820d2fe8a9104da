"""The scheduler: what is due at `now` (pure), claiming each post once, and the heartbeat."""
