from stanch.services import incidents, records
from stanch.services.context import App


def test_declare_on_both_stores(any_app: App) -> None:
    done = incidents.declare(
        any_app, "Checkout returns 502 for EU users", severity="SEV1", started="12 min ago"
    )
    assert done.incident.id == "2026-11-22-checkout-502-eu"
    shown = records.show(any_app, None)
    assert shown.file.ok
