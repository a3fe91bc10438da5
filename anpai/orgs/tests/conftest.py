"""Helpers shared by the organisation page tests."""

from __future__ import annotations

import pytest

from anpai.core.validators import credit_code_check_char
from anpai.orgs.models import Organization


def org_of(user) -> Organization:
    """The organisation a single-membership persona belongs to."""
    return user.memberships.select_related("organization__region").get().organization


def valid_code(body: str = "91141127MA0TPAGE1") -> str:
    return body + credit_code_check_char(body)


def bad_code(body: str = "91141127MA0TPAGE1") -> str:
    """A code of the right shape whose check character is wrong."""
    good = credit_code_check_char(body)
    return body + ("0" if good != "0" else "1")


@pytest.fixture
def orgs_of(demo):
    return lambda name: org_of(demo[name])
