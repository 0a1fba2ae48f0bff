"""The HTTP door: REST API, alert intake, web UI, public status page, scheduler."""
