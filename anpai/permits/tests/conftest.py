"""A permit-ready enterprise: ent1's, with a workshop head and a team leader added."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from anpai.orgs.models import Organization
from anpai.people.choices import Role
from anpai.people.models import Membership, User
from anpai.permits import actions


@pytest.fixture
def org(demo):
    return Organization.objects.get(
        memberships__user=demo["ent1"], memberships__role=Role.ENT_PRINCIPAL
    )


def _member(org, username, role, name):
    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": name})
    Membership.objects.get_or_create(user=user, organization=org, role=role)
    return user


@pytest.fixture
def people(demo, org):
    return {
        "principal": demo["ent1"],
        "safety": demo["ent1safety"],
        "head": _member(org, "t_workshop", Role.ENT_DEPT_HEAD, "车间主任甲"),
        "team": _member(org, "t_team", Role.ENT_TEAM_LEADER, "班组长乙"),
    }


WORKERS = [
    {
        "name": "焊工丙",
        "certificate_kind": "焊接与热切割作业",
        "certificate_no": "T140000001",
        "certificate_expires": "2030-01-01",
    },
]


@pytest.fixture
def make(org, people):
    """make(type, answers, hours=4, **fields): a draft applied for by the team leader."""

    def _make(type="hot_work", answers=None, *, hours=4, start_in=timedelta(0), by=None, **fields):
        start = timezone.now() + start_in
        values = {
            "content": "更换 3# 罐进料管线法兰",
            "location": "罐区 3# 储罐",
            "person_in_charge": "车间主任甲",
            "guardian": "监护人丁",
            "hazard_identification": "易燃气体泄漏、火灾爆炸、灼烫",
            "medium": "甲醇",
            "medium_lel": "6",
            "planned_start": start,
            "planned_end": start + timedelta(hours=hours),
            "workers": WORKERS,
        }
        values.update(fields)
        return actions.create(
            by=by or people["team"],
            organization=org,
            type=type,
            answers=answers if answers is not None else {"area": "hazardous_area"},
            **values,
        )

    return _make


@pytest.fixture
def ready(make, people):
    """ready(...) → an approved permit with measures confirmed and briefing given."""

    def _ready(*args, **kwargs):
        permit = make(*args, **kwargs)
        actions.submit(permit, by=people["team"])
        for step in permit.chain():
            signer = {
                "unit": people["head"],
                "safety": people["safety"],
                "principal": people["principal"],
            }[step]
            actions.approve(permit, by=signer, opinion="同意")
        actions.confirm_measures(
            permit,
            by=people["team"],
            measures=[
                {"id": m.pk, "applicable": True, "confirmed_by": "确认人"}
                for m in permit.measures.all()
            ],
        )
        actions.record_briefing(
            permit, by=people["team"], given_by="车间主任甲", received_by="焊工丙"
        )
        permit.refresh_from_db()
        return permit

    return _ready
