"""The rules of a peer-learning group, in plain Python over the store. No Slack here."""
