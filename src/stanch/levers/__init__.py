"""Control-surface discovery and lever executors."""
