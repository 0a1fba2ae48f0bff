"""The command-line door: parse, call a service, format. No rules live here."""
