"""Navigation by role: the sections and the tabs a user sees are the ones they may open."""

from __future__ import annotations

import re

import pytest


def _links(html: str, testid: str) -> list[str]:
    block = re.search(rf'data-testid="{testid}">(.*?)</ul>', html, re.S)
    return re.findall(r'href="([^"]+)"', block.group(1)) if block else []


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        (
            "township",
            [
                "/inspections/",
                "/inspections/duties/",
                "/inspections/compliance/",
                "/inspections/rounds/",
                "/inspections/checklists/",
            ],
        ),
        # An enterprise's safety manager plans its duties, but plans no government rounds.
        (
            "ent1safety",
            [
                "/inspections/",
                "/inspections/duties/",
                "/inspections/compliance/",
                "/inspections/checklists/",
            ],
        ),
    ],
)
def test_inspection_pages_show_the_tabs_the_role_may_open(login, username, expected):
    html = login(username).get("/inspections/duties/").content.decode()
    assert _links(html, "subnav") == expected
    # The tab of the page being shown is marked current.
    assert 'aria-current="page" href="/inspections/duties/"' in html


def test_pages_outside_a_section_with_tabs_show_none(login):
    html = login("township").get("/orgs/").content.decode()
    assert 'data-testid="subnav"' not in html
