import itertools

import pytest

from stanch.errors import IllegalTransition, InvalidInput
from stanch.model.severity import Scheme, Severity
from stanch.model.status import ALLOWED, Status, check_transition, is_backward


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SEV1", Severity.SEV1), ("sev1", Severity.SEV1), ("Sev-2", Severity.SEV2),
        ("sev 3", Severity.SEV3), ("SEV4", Severity.SEV4), ("P0", Severity.SEV1),
        ("p1", Severity.SEV2), ("P2", Severity.SEV3), ("p3", Severity.SEV4), (" P0 ", Severity.SEV1),
    ],
)  # fmt: skip
def test_both_scales_parse(text: str, expected: Severity) -> None:
    assert Severity.parse(text) is expected


@pytest.mark.parametrize("text", ["SEV0", "SEV5", "P4", "critical", "", "1", "sev12"])
def test_unknown_severity_is_refused_with_the_scales(text: str) -> None:
    with pytest.raises(InvalidInput, match="SEV1–SEV4 or P0–P3"):
        Severity.parse(text)


def test_labels_follow_the_scheme() -> None:
    assert [s.label(Scheme.SEV) for s in Severity] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert [s.label(Scheme.P) for s in Severity] == ["P0", "P1", "P2", "P3"]
    assert Severity.SEV3.raised() is Severity.SEV2
    assert Severity.SEV1.raised() is Severity.SEV1


def test_the_forward_path_is_legal() -> None:
    path = list(Status)
    for current, target in itertools.pairwise(path):
        check_transition(current, target)


def test_going_back_is_legal_and_marked_backward() -> None:
    check_transition(Status.MONITORING, Status.MITIGATING)
    assert is_backward(Status.MONITORING, Status.MITIGATING)
    assert not is_backward(Status.MITIGATING, Status.MITIGATED)


def test_illegal_jump_names_the_allowed_next_states() -> None:
    with pytest.raises(IllegalTransition) as caught:
        check_transition(Status.INVESTIGATING, Status.RESOLVED)
    assert "mitigating, mitigated" in caught.value.message
    with pytest.raises(IllegalTransition, match="closed is final"):
        check_transition(Status.CLOSED, Status.INVESTIGATING)
    with pytest.raises(IllegalTransition, match="already"):
        check_transition(Status.MITIGATING, Status.MITIGATING)


def test_every_state_but_closed_has_a_way_forward() -> None:
    assert all(ALLOWED[s] for s in Status if s is not Status.CLOSED)
