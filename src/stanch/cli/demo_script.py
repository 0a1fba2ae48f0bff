"""The demo's incident, step by step: real `stanch` commands against the simulated production.

Each step is what a responder would type, with why; the demo runs it through the same
command-line door as a person would (or waits while the person types it, with --pause).
"""

from __future__ import annotations

from dataclasses import dataclass

from stanch.sim.stage import SIGNAL, Stage
from stanch.sim.world import FLAG

FLAG_LEVER = f"flag_off:flagd:{FLAG}"


@dataclass(frozen=True)
class Step:
    phase: str
    why: str
    argv: tuple[str, ...]
    codes: tuple[int, ...] = (0,)  # exit codes that mean the step went as intended


def framing(stage: Stage) -> list[Step]:
    onset = stage.world.onset.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [
        Step("Frame", "One command frames the incident, opens its file and names the channel.",
             ("declare", "Checkout payments fail for about 30% of orders", "--severity", "SEV2",
              "--impact", "~30% of checkout requests return 502", "--percent", "30",
              "--regions", "eu-west-1", "--started", onset, "--service", "checkout",
              "--customer-visible", "--commander", "alice")),
        Step("Frame", "Record the signal that flagged it: the same one will confirm recovery.",
             ("signal", "set", "promql", SIGNAL, "--healthy", "< 0.01", "-i", "{id}")),
    ]  # fmt: skip


def stabilize(stage: Stage) -> list[Step]:
    # the second lever reverts the flag commit in the local repository: nothing in the demo
    # talks to a cluster, whatever kubeconfig this machine has
    revert = f"rollback:git:{stage.world.culprit[:12]}"
    return [
        Step("Stabilize", "Find the control surface in the repository and rank the levers.",
             ("levers", "--incident", "{id}")),
        Step("Stabilize", "Plan the top lever: a dry run that verifies its rollback can run.",
             ("mitigate", "{id}", FLAG_LEVER)),
        Step("Stabilize", "Pull it: the flag goes off in the flag file the service reads.",
             ("mitigate", "{id}", FLAG_LEVER, "--apply")),
        Step("Stabilize", "Plan a second lever too, in case the first does not work.",
             ("mitigate", "{id}", revert)),
        Step("Stabilize", "But pulling it while the first is unconfirmed is refused.",
             ("mitigate", "{id}", revert, "--apply"), (1,)),
    ]  # fmt: skip


def escalate() -> list[Step]:
    return [
        Step("Escalate", "Who owns checkout and its flags? The catalog and CODEOWNERS say.",
             ("owner", "checkout")),
        Step("Escalate", "Page the owning on-call with a hand-off snapshot (a signed webhook).",
             ("escalate", "{id}", "--to", "payments-team", "--reason",
              "payment-gateway timeouts after a flag flip in payments' code path",
              "--hypothesis", "the new-payment-path flag breaks gateway calls",
              "--next", "confirm recovery, then review the flag's rollout plan")),
        Step("Escalate", "The payments on-call acknowledges (this feeds MTTA).",
             ("ack", "-i", "{id}", "dana", "--target", "payments-team")),
        Step("Communicate", "Post the first update: precise inside, plain on the status page.",
             ("update", "{id}", "--post", "--audience", "both",
              "--did", "Turned off the new-payment-path flag",
              "--next", "Confirming recovery on the checkout error ratio")),
    ]  # fmt: skip


def confirm_and_diagnose(stage: Stage) -> list[Step]:
    return [
        Step("Confirm", "Watch the flagging signal until several healthy samples confirm it.",
             ("watch", "{id}", "--until", "confirmed", "--max-samples", "40")),
        Step("Diagnose", "What changed before onset? Ranked, red herrings below, with undo.",
             ("evidence", "changes", "{id}")),
        Step("Diagnose", "Logs grouped by signature: what is new since onset, and what preceded it.",
             ("evidence", "logs", str(stage.logs), "--incident", "{id}")),
        Step("Diagnose", "Traces to the failing hop, contrasted with healthy traces.",
             ("evidence", "traces", str(stage.traces), "{id}")),
        Step("Diagnose", "One hypothesis, its prediction, and the signal that checks it.",
             ("hypothesis", "{id}", "The new-payment-path flag makes gateway calls time out",
              "--predict", "with the flag off the error ratio stays under 1%",
              "--check", SIGNAL, "--expect", "< 0.01")),
        Step("Diagnose", "Everything gathered, on one screen.", ("diagnose", "{id}")),
    ]  # fmt: skip


def resolve_and_learn() -> list[Step]:
    return [
        Step("Resolve", "Resolved only after a full recovery window of healthy samples.",
             ("watch", "{id}", "--resolve", "--max-samples", "60")),
        Step("Communicate", "Tell everyone it is over.",
             ("update", "{id}", "--post", "--audience", "both",
              "--did", "Checkout recovered and stayed healthy for the recovery window",
              "--next", "Postmortem")),
        Step("Learn", "The trigger, about the system: a configuration push.",
             ("why", "{id}", "add", "A flag flip enabled an untested payment path for all users",
              "--factor", "trigger", "--category", "configuration_push")),
        Step("Learn", "A contributing factor: nothing stopped a 100% rollout at once.",
             ("why", "{id}", "add", "Flag changes go to all users at once, with no canary",
              "--under", "W1", "--factor", "guardrail")),
        Step("Learn", "An owned, dated action item that makes the system enforce it.",
             ("actions", "add", "{id}", "Roll out payment flags by percentage with an "
              "automatic stop on the checkout error ratio", "--owner", "dana",
              "--priority", "P1", "--type", "prevent", "--kind", "guardrail")),
        Step("Learn", "Draft the blameless postmortem from the events: durations, burn, timeline.",
             ("postmortem", "{id}", "--error-ratio", "0.3")),
        Step("Learn", "Write the public status page.", ("status-page",)),
        Step("Learn", "The incident, its timeline, and the file checked against the events.",
             ("show", "{id}")),
        Step("Learn", "The file matches the recorded events.", ("verify", "{id}")),
    ]  # fmt: skip


def script(stage: Stage) -> list[Step]:
    return [
        *framing(stage),
        *stabilize(stage),
        *escalate(),
        *confirm_and_diagnose(stage),
        *resolve_and_learn(),
    ]
