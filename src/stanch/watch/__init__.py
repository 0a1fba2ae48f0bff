"""Signal readers: read the flagging signal's current value from where it lives."""
