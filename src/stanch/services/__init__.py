"""Use cases: every door (CLI, HTTP, MCP) calls these and only these."""
