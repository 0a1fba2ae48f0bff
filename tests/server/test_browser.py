"""Headless Chromium (Debian's) driven by Playwright against the real server:
declare from the UI, watch a timeline entry arrive live, read the public status page.
Screenshots are kept in test-artifacts/server/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from stanch.server.app import create_app
from stanch.server.config import ServerConfig
from stanch.services import tokens
from stanch.services.context import App
from stanch.settings import load_settings
from tests.server.running import running

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "server"
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(el => !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label'))
  .map(el => el.name)"""

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian chromium")


@pytest.fixture
def live(project: Path) -> Iterator[tuple[str, App, str]]:
    app = App(load_settings(cwd=project, env={"STANCH_ACTOR": "tester"}))
    token = tokens.create(app, "rory", "responder")
    with running(create_app(app, ServerConfig(components=("checkout",), scheduler=False))) as base:
        yield base, app, token
    app.close()


def test_declare_watch_live_timeline_and_read_status_page(live: tuple[str, App, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, app, token = live
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = phone.new_page()
        page.goto(f"{base}/")
        page.get_by_label("API token").fill(token)
        page.get_by_role("button", name="Log in").click()
        page.get_by_label("What users see").fill("Checkout returns 502 for EU users")
        page.get_by_label("Severity").select_option("SEV1")
        page.get_by_label("Service").fill("checkout")
        page.get_by_label("Customer-visible (shown on the status page)").check()
        page.get_by_role("button", name="Declare").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout returns 502")
        assert page.evaluate(UNLABELLED) == []
        key = page.url.rsplit("/", 1)[1]
        page.wait_for_function("document.getElementById('live-state') !== null")
        posted = httpx.post(
            f"{base}/api/incidents/{key}/log",
            json={"text": "rolled back checkout-api to v2.13.2"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert posted.status_code == 201
        expect(page.locator("ol.timeline li.new")).to_contain_text(
            "rolled back checkout-api", timeout=10_000
        )
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.screenshot(path=str(ARTIFACTS / "incident-phone.png"), full_page=True)
        public = browser.new_context().new_page()  # no login
        public.goto(f"{base}/status")
        expect(public.get_by_role("heading", level=1)).to_have_text("Service status")
        expect(public.locator("article")).to_contain_text("Checkout returns 502 for EU users")
        expect(public.locator("ul.components")).to_contain_text("major outage")
        public.screenshot(path=str(ARTIFACTS / "status.png"), full_page=True)
        browser.close()
    assert app.store.events(key)[-1].data["text"] == "rolled back checkout-api to v2.13.2"
