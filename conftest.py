"""Shared fixtures: the demo township as personas, API clients, query counting.

The demo township (``anpai.demo.build.build_demo``) is loaded once into the
test database; each test runs in a transaction that is rolled back. Tests
that flush the database (``transactional_db``, ``live_server``) ask for
``demo`` and get it rebuilt when it is missing.
"""

from __future__ import annotations

import pytest

DEMO_PASSWORD = "Demo-pass-2024"  # noqa: S105 - the test database only

# The demo's accounts (the contract of issue 2).
PERSONAS = (
    "admin",
    "secadmin",
    "auditor",
    "township",
    "leader",
    "dept",
    "village1",
    "village2",
    "ent1",
    "ent2",
    "ent1safety",
    "county",
)


def _ensure_demo():
    from anpai.demo.build import build_demo, demo_exists

    if not demo_exists():
        build_demo(password=DEMO_PASSWORD)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _ensure_demo()


@pytest.fixture
def demo(db):
    """The demo township is present; returns {username: User} for the personas."""
    from anpai.people.models import User

    _ensure_demo()
    return {u.username: u for u in User.objects.filter(username__in=PERSONAS)}


@pytest.fixture
def login(client, demo):
    """``login("ent1")`` logs the test client in as that persona and returns it."""

    def _login(username: str):
        client.force_login(demo[username])
        return client

    return _login


@pytest.fixture
def api(demo):
    """``api("ent1")`` returns a DRF APIClient authenticated with a real token."""
    from rest_framework.test import APIClient

    from anpai.people.models import ApiToken

    def _api(username: str | None = None) -> APIClient:
        client = APIClient()
        if username:
            _, key = ApiToken.issue(demo[username])
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return _api


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright; skipped with a reason when absent.

    On CI (ANPAI_REQUIRE_BROWSER=1) a missing browser is a failure, not a skip.
    """
    import os
    import shutil

    path = os.environ.get("ANPAI_CHROMIUM") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    path = path or shutil.which("chromium")
    if not path:
        message = "browser tests need Chromium: apt-get install chromium (or set ANPAI_CHROMIUM)"
        if os.environ.get("ANPAI_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page_as(browser, live_server, demo):
    """``page_as("ent1", mobile=False)``: a logged-in page in a fresh browser context."""
    contexts = []

    def _page_as(username: str, *, mobile: bool = False):
        viewport = {"width": 390, "height": 844} if mobile else {"width": 1280, "height": 900}
        ctx = browser.new_context(viewport=viewport, locale="zh-CN")
        contexts.append(ctx)
        page = ctx.new_page()
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield _page_as
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def english():
    """Messages in English, for tests that assert on their wording (the UI defaults to Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
