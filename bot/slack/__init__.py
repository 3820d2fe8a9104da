"""The Slack adapter: Bolt listeners (thin), Block Kit renderers (pure), the outbound gateway."""
