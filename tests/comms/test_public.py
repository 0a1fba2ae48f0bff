"""A public update never leaks an internal field (property test) and reads plainly."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from stanch.model.incident import Impact, Incident
from stanch.model.public import ALLOWED_FIELDS, compose, scrub
from stanch.model.severity import Severity
from stanch.model.status import Status
from tests.conftest import T0

WORDS = st.sampled_from(
    ["payments", "are", "slow", "for", "some", "customers", "we", "are", "working", "on",
     "a", "fix", "errors", "when", "paying", "Europe", "checkout", "pages", "load", "slowly"]
)  # fmt: skip
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_LABEL = st.builds(lambda a, b: a + b, st.sampled_from(_LOWER),
                   st.text(_LOWER + "0123456789", min_size=2, max_size=8))  # fmt: skip
HOSTNAMES = st.builds(lambda a, b: f"{a}.{b}.internal", _LABEL, _LABEL)
IPS = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
COMMANDS = st.builds(lambda a, b: f"`kubectl rollout undo deploy/{a} -n {b}`", _LABEL, _LABEL)
FLAGS = st.builds(lambda a: f"--{a}", _LABEL)
COMMITS = st.builds(lambda d, a, rest: d + a + rest, st.sampled_from("0123456789"),
                    st.sampled_from("abcdef"), st.text("0123456789abcdef", min_size=5,
                                                       max_size=38))  # fmt: skip
EMAILS = st.builds(lambda a, b: f"{a}@{b}.com", _LABEL, _LABEL)
HANDLES = st.builds(lambda a, b: f"@{a}/{b}", _LABEL, _LABEL)
PATHS = st.builds(lambda a, b: f"/var/lib/{a}/{b}", _LABEL, _LABEL)
URLS = st.builds(lambda a: f"https://grafana.{a}.net/d/x", _LABEL)
SECRETS = st.one_of(HOSTNAMES, IPS, COMMANDS, FLAGS, COMMITS, EMAILS, HANDLES, PATHS, URLS)
PEOPLE = st.text(_LOWER, min_size=4, max_size=9)


@st.composite
def leaky_text(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Plain words with internal tokens mixed in; returns the text and the tokens."""
    words = draw(st.lists(WORDS, min_size=0, max_size=12))
    secrets = draw(st.lists(SECRETS, min_size=1, max_size=4))
    mixed = list(words)
    for secret in secrets:
        mixed.insert(draw(st.integers(0, len(mixed))), secret)
    return " ".join(mixed), secrets


def incident(impact: str, commander: str, services: tuple[str, ...]) -> Incident:
    return Incident(
        id="2026-11-22-checkout-502", slug="checkout-502", symptom="checkout 502 on " + impact,
        impact=Impact.from_text(impact, regions=("eu-west-1",)), severity=Severity.SEV1,
        status=Status.MITIGATING, onset_at=T0, detected_at=T0, declared_at=T0,
        channel="inc-2026-11-22-checkout-502", services=services,
        roles={"commander": (commander,), "responder": ("bob",)},
    )  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(impact=leaky_text(), message=leaky_text(), eta=leaky_text(), title=leaky_text(),
       commander=PEOPLE, service=_LABEL)  # fmt: skip
def test_public_update_never_leaks(
    impact: tuple[str, list[str]],
    message: tuple[str, list[str]],
    eta: tuple[str, list[str]],
    title: tuple[str, list[str]],
    commander: str,
    service: str,
) -> None:
    state = incident(impact[0], commander, (f"{service}-api",))
    update = compose(state, now=T0, next_update_at=T0 + timedelta(minutes=30),
                     message=message[0], eta=eta[0], title=title[0],
                     forbidden=frozenset({f"{service}-api", state.channel}))  # fmt: skip
    data = update.to_dict()
    assert set(data) <= ALLOWED_FIELDS
    shown = str(data) + update.text()
    for secret in impact[1] + message[1] + eta[1] + title[1]:
        assert secret not in shown
    words = re.findall(r"[a-z0-9]+", shown.lower())
    for person in (commander, "bob"):
        assert person not in words  # as a word: "al" inside "all" is not a person
    for internal in (f"{service}-api", state.channel, state.id):
        assert internal not in shown


def test_plain_words_survive() -> None:
    text = "Some customers in Europe see errors when paying"
    assert scrub(text, frozenset({"al", "see"})) == "Some customers in Europe errors when paying"


def test_status_words_are_public_vocabulary() -> None:
    state = incident("payments fail", "carol", ("pay-api",))
    update = compose(state, now=T0, next_update_at=None)
    assert update.status == "identified"
    assert update.title == "Service outage"
    assert "working on a fix" in update.text()
