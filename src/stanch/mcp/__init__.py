"""The door for AI responders: an MCP server over the same use cases as the CLI."""
