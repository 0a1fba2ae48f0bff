"""Provider name → adapter, built from the settings (third-party adapters register here too)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from stanch.notify.base import Notifier
from stanch.notify.config import CommsConfig
from stanch.notify.opsgenie import Opsgenie
from stanch.notify.pagerduty import PagerDuty
from stanch.notify.slack import Slack
from stanch.notify.statuspage import Statuspage
from stanch.notify.webhook import Webhook

Factory = Callable[[CommsConfig, httpx.Client], Notifier]

ADAPTERS: dict[str, Factory] = {
    "pagerduty": PagerDuty,
    "opsgenie": Opsgenie,
    "slack": Slack,
    "statuspage": Statuspage,
    "webhook": Webhook,
}


def notifiers(config: CommsConfig, client: httpx.Client) -> dict[str, Notifier]:
    """An adapter for every configured provider."""
    return {
        name: factory(config, client)
        for name, factory in ADAPTERS.items()
        if name in config.providers
    }
