"""Block Kit renderers: pure functions from domain objects to messages and modals."""
