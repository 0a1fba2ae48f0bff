"""Pure domain model: no I/O, the clock is always passed in."""
