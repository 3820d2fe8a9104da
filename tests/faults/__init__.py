"""Fault injection: a database that refuses or stops answering, racing and killed tickers,
and a Slack that rate-limits, drops connections and refuses some recipients."""
