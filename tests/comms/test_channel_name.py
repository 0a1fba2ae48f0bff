"""Channel names always satisfy Slack's rules, whatever the pattern and the symptom."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from stanch.model.naming import channel_name, slugify
from tests.conftest import T0

SLACK_NAME = re.compile(r"^[a-z0-9_-]{1,80}$")


@settings(max_examples=150, deadline=None)
@given(symptom=st.text(max_size=200), prefix=st.text(max_size=30))
def test_channel_names_follow_slack_rules(symptom: str, prefix: str) -> None:
    pattern = prefix.replace("{", "").replace("}", "") + "-{date}-{slug}"
    name = channel_name(pattern, "2026-11-22-x", slugify(symptom), T0)
    assert SLACK_NAME.match(name)
    assert name.strip("-_")


def test_default_shape() -> None:
    name = channel_name("inc-{date}-{slug}", "id", slugify("Checkout returns 502 for EU users"), T0)
    assert name == "inc-2026-11-22-checkout-502-eu"
