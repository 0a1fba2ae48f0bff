"""Slack Web API (via slack_sdk): the incident channel, its topic, invitations, posts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stanch.model.outbox import Message
from stanch.notify.base import Delivery, Status
from stanch.notify.config import CommsConfig

if TYPE_CHECKING:
    from slack_sdk import WebClient

MAX_TOPIC = 250
# channel_not_found: the channel set-up may still be waiting in the outbox.
_RETRY_ERRORS = frozenset({"ratelimited", "channel_not_found", "internal_error", "fatal_error", "service_unavailable",
                           "request_timeout"})  # fmt: skip


class Slack:
    name = "slack"

    def __init__(self, config: CommsConfig, client: object = None) -> None:
        provider = config.providers["slack"]
        self.token = provider.key
        self.base_url = provider.url if provider.url.endswith("/") else provider.url + "/"
        self.timeout = int(config.timeout)

    def _client(self) -> WebClient:
        from slack_sdk import WebClient  # heavy: only when Slack is used

        return WebClient(token=self.token, base_url=self.base_url, timeout=self.timeout)

    def send(self, message: Message, refs: dict[str, str]) -> Delivery:
        if not self.token:
            return Delivery(Status.NOT_CONFIGURED, "no Slack token in the environment")
        from slack_sdk.errors import SlackApiError

        handler = {
            "create_channel": self._create,
            "set_topic": self._topic,
            "invite": self._invite,
            "post": self._post,
        }.get(message.action)
        if handler is None:
            return Delivery(Status.REJECTED, f"slack: unknown action {message.action}")
        try:
            return handler(self._client(), message, refs)
        except SlackApiError as exc:
            return _api_error(exc)
        except OSError as exc:  # URLError, timeouts, refused connections
            return Delivery(Status.RETRY, f"slack: {type(exc).__name__}: {exc}"[:300])

    def _channel(self, message: Message, refs: dict[str, str]) -> str:
        return refs.get(f"slack:{message.target}", message.target)

    def _create(self, client: WebClient, message: Message, refs: dict[str, str]) -> Delivery:
        from slack_sdk.errors import SlackApiError

        name = message.target
        private = bool(message.payload.get("is_private"))
        try:
            reply = client.conversations_create(name=name, is_private=private)
        except SlackApiError as exc:
            if exc.response.get("error") != "name_taken":
                raise
            found = _find_channel(client, name)
            if found is None:
                return Delivery(Status.REJECTED, f"slack: #{name} is taken and cannot be found")
            return Delivery(Status.OK, f"reused existing #{name}", ref=found)
        return Delivery(Status.OK, f"created #{name}", ref=str(reply["channel"]["id"]))

    def _topic(self, client: WebClient, message: Message, refs: dict[str, str]) -> Delivery:
        topic = str(message.payload["topic"])[:MAX_TOPIC]
        client.conversations_setTopic(channel=self._channel(message, refs), topic=topic)
        return Delivery(Status.OK, "topic set")

    def _invite(self, client: WebClient, message: Message, refs: dict[str, str]) -> Delivery:
        from slack_sdk.errors import SlackApiError

        users = [str(u) for u in message.payload.get("users") or ()]
        try:
            client.conversations_invite(
                channel=self._channel(message, refs), users=",".join(users), force=True
            )
        except SlackApiError as exc:
            if exc.response.get("error") != "already_in_channel":
                raise
        return Delivery(Status.OK, f"invited {len(users)}")

    def _post(self, client: WebClient, message: Message, refs: dict[str, str]) -> Delivery:
        reply = client.chat_postMessage(
            channel=self._channel(message, refs), text=str(message.payload["text"])
        )
        # The ref of a Slack lane is its channel id; the message ts goes in the detail.
        return Delivery(Status.OK, f"posted (ts {reply.get('ts')})")


def _find_channel(client: WebClient, name: str) -> str | None:
    """An existing, unarchived channel with this name (paginated listing)."""
    cursor: str | None = None
    while True:
        page = client.conversations_list(exclude_archived=True, limit=200, cursor=cursor)
        for channel in page.get("channels") or ():
            if channel.get("name") == name:
                return str(channel["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None


def _api_error(exc: Any) -> Delivery:
    response = exc.response
    error = str(response.get("error") or "error")
    status = int(getattr(response, "status_code", 200) or 200)
    if status == 429 or error in _RETRY_ERRORS or status >= 500:
        header = (response.headers or {}).get("Retry-After") or (response.headers or {}).get(
            "retry-after"
        )
        try:
            wait = float(header) if header is not None else None
        except ValueError:
            wait = None
        return Delivery(Status.RETRY, f"slack: {error} (HTTP {status})", retry_after=wait)
    return Delivery(Status.REJECTED, f"slack: {error}")
