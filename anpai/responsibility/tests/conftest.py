"""The demo's leaders and their organisations, and a maker of extra leaders with lists."""

from __future__ import annotations

import pytest
from django.utils import timezone

from anpai.orgs.choices import OrgKind
from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User
from anpai.responsibility.choices import ListKind
from anpai.responsibility.models import LeaderList, ListItem


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def township_org(demo):
    return Organization.objects.get(
        memberships__user=demo["township"], memberships__role=Role.TOWNSHIP_OFFICER
    )


@pytest.fixture
def village(demo):
    """王建国's (village1's) village committee."""
    return Organization.objects.get(
        memberships__user=demo["village1"], memberships__role=Role.VILLAGE_OFFICER
    )


@pytest.fixture
def village2(demo):
    return Organization.objects.get(
        memberships__user=demo["village2"], memberships__role=Role.VILLAGE_OFFICER
    )


def lists_of(user, year):
    return {
        the_list.kind: the_list
        for the_list in LeaderList.objects.filter(leader=user, year=year).prefetch_related("items")
    }


@pytest.fixture
def make_leaders(demo, year):
    """``make_leaders(n)``: n more village officers in the demo's village committees, each
    with a duty list of three items (one done) for the year."""
    made = []

    def _make(n: int) -> list[User]:
        committees = list(Organization.objects.filter(kind=OrgKind.VILLAGE).order_by("pk")[:3])
        creator = demo["township"]
        result = []
        for _ in range(n):
            index = len(made)
            user = User.objects.create(username=f"t_leader{index}", full_name=f"村干部{index}")
            org = committees[index % len(committees)]
            Membership.objects.create(user=user, organization=org, role=Role.VILLAGE_OFFICER)
            the_list = LeaderList.objects.create(
                organization=org,
                leader=user,
                year=year,
                kind=ListKind.DUTY,
                post="村委会委员",
                created_by=creator,
            )
            ListItem.objects.bulk_create(
                ListItem(list=the_list, order=i, text=f"事项{i}", status=status, progress=p)
                for i, (status, p) in enumerate(
                    [("done", 100), ("in_progress", 50), ("not_started", 0)], start=1
                )
            )
            made.append(user)
            result.append(user)
        return result

    return _make
