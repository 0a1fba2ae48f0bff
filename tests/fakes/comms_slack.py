"""Slack Web API methods of the incident channel workflow, enforced
(shared/contracts/slack-web-api.md): errors as HTTP 200 + ok:false, 429 + Retry-After."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.comms_http import Fake, Request, Response, problem

_NAME = re.compile(r"^[a-z0-9_-]+$")
MAX_NAME = 80
MAX_TOPIC = 250


def fail(error: str, **extra: Any) -> Response:
    return Response(200, {"ok": False, "error": error, **extra})


def ok(**data: Any) -> Response:
    return Response(200, {"ok": True, **data})


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    topic: str = ""
    members: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)


class FakeSlack(Fake):
    def __init__(self, token: str, users: tuple[str, ...], bot: str = "UBOT") -> None:
        super().__init__()
        self.token = token
        self.users = set(users)
        self.bot = bot
        self.channels: list[Channel] = []

    def reset(self) -> None:
        super().reset()
        self.channels.clear()

    def throttled(self) -> Response:
        return problem(
            429, {"ok": False, "error": "ratelimited"}, **{"Retry-After": self.retry_after}
        )

    def channel(self, ref: str) -> Channel | None:
        return next((c for c in self.channels if ref in (c.id, c.name, f"#{c.name}")), None)

    def add_channel(self, name: str, archived: bool = False) -> Channel:
        channel = Channel(f"C{len(self.channels) + 1:08d}", name, is_archived=archived)
        channel.members.add(self.bot)
        self.channels.append(channel)
        return channel

    @staticmethod
    def args(request: Request) -> dict[str, Any] | None:
        found: dict[str, Any] = {k: v[0] for k, v in request.query.items()}
        if request.content_type == "application/json":
            body = request.json() if request.body else {}
            if "token" in body:
                return None  # Slack does not read a token from a JSON body
            found.update(body)
        elif request.body:
            found.update({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
        return found

    def handle(self, request: Request) -> Response:
        if not request.path.startswith("/api/"):
            return problem(404, "not found")
        auth = request.headers.get("authorization", "")
        if not auth:
            return fail("not_authed")
        if auth != f"Bearer {self.token}":
            return fail("invalid_auth")
        try:
            args = self.args(request)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return fail("invalid_json")
        if args is None:
            return fail("invalid_auth")
        method = getattr(self, "m_" + request.path.removeprefix("/api/").replace(".", "_"), None)
        return method(args) if method else fail("unknown_method")

    def m_conversations_create(self, args: dict[str, Any]) -> Response:
        name = str(args.get("name") or "")
        if not name:
            return fail("invalid_name_required")
        if len(name) > MAX_NAME:
            return fail("invalid_name_maxlength")
        if not _NAME.match(name):
            return fail("invalid_name_specials")
        if not name.strip("-_"):
            return fail("invalid_name_punctuation")
        if any(c.name == name for c in self.channels):
            return fail("name_taken")
        channel = self.add_channel(name)
        channel.is_private = str(args.get("is_private")).lower() in ("1", "true")
        return ok(channel={"id": channel.id, "name": name, "is_channel": True, "is_member": True})

    def m_conversations_list(self, args: dict[str, Any]) -> Response:
        exclude = str(args.get("exclude_archived")).lower() in ("1", "true")
        shown = [c for c in self.channels if not (exclude and c.is_archived)]
        start = int(args.get("cursor") or 0)
        limit = min(int(args.get("limit") or 100), 2)  # small pages so clients must paginate
        page = shown[start : start + limit]
        cursor = str(start + limit) if start + limit < len(shown) else ""
        return ok(channels=[{"id": c.id, "name": c.name, "is_archived": c.is_archived}
                            for c in page], response_metadata={"next_cursor": cursor})  # fmt: skip

    def _member_channel(self, args: dict[str, Any], key: str = "channel") -> Channel | Response:
        channel = self.channel(str(args.get(key) or ""))
        if channel is None:
            return fail("channel_not_found")
        if channel.is_archived:
            return fail("is_archived")
        if self.bot not in channel.members:
            return fail("not_in_channel")
        return channel

    def m_conversations_setTopic(self, args: dict[str, Any]) -> Response:
        channel = self._member_channel(args)
        if isinstance(channel, Response):
            return channel
        if "topic" not in args:
            return fail("invalid_arguments")
        if len(str(args["topic"])) > MAX_TOPIC:
            return fail("too_long")
        channel.topic = str(args["topic"])
        return ok(channel={"id": channel.id, "topic": {"value": channel.topic}})

    def m_conversations_invite(self, args: dict[str, Any]) -> Response:
        channel = self._member_channel(args)
        if isinstance(channel, Response):
            return channel
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            return fail("no_user")
        unknown = [u for u in users if u not in self.users]
        if unknown:
            return fail("user_not_found", errors=[{"user": u, "ok": False,
                                                   "error": "user_not_found"} for u in unknown])  # fmt: skip
        if all(u in channel.members for u in users):
            return fail("already_in_channel")
        channel.members.update(users)
        return ok(channel={"id": channel.id})

    def m_chat_postMessage(self, args: dict[str, Any]) -> Response:
        channel = self._member_channel(args)
        if isinstance(channel, Response):
            return channel
        text = str(args.get("text") or "")
        if not text and not args.get("blocks"):
            return fail("no_text")
        if len(text) > 40000:
            return fail("msg_too_long")
        channel.messages.append(text)
        ts = f"1700000000.{len(channel.messages):06d}"
        return ok(channel=channel.id, ts=ts, message={"type": "message", "text": text, "ts": ts})
