"""ent1's enterprise, a government inspection of it with failed items, and helpers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anpai.enforcement import actions
from anpai.inspections import actions as inspection_actions
from anpai.inspections.tests.conftest import (  # noqa: F401 - fixtures used here
    answered,
    checklist,
    org_of,
    photo,
    started,
)
from anpai.orgs.models import Organization
from anpai.people.choices import Role


@pytest.fixture
def org(demo):
    return Organization.objects.get(
        memberships__user=demo["ent1"], memberships__role=Role.ENT_PRINCIPAL
    )


@pytest.fixture
def other_org(demo):
    return Organization.objects.get(
        memberships__user=demo["ent2"], memberships__role=Role.ENT_PRINCIPAL
    )


@pytest.fixture
def inspection(demo, answered):  # noqa: F811 - the imported fixture
    """A submitted township inspection of ent1's enterprise with two failed items."""
    insp = answered("township")
    return inspection_actions.submit(insp, by=demo["township"], summary="发现问题两项")


@pytest.fixture
def case(demo, org, inspection):
    return actions.open_case(
        by=demo["township"],
        organization=org,
        title="未落实可燃气体报警装置",
        facts="检查发现厨房未安装可燃气体报警装置，气瓶间未单独设置。",
        grounds=["major_not_acted"],
        inspection=inspection,
    )


def later(days: int):
    return (timezone.localdate() + timedelta(days=days)).isoformat()
