"""The industry supervision table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anpai.orgs.models import Supervision

URL = reverse("orgs:supervision")


@pytest.mark.django_db
def test_township_sees_every_supervising_department(login):
    response = login("township").get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for row in Supervision.objects.select_related("department", "industry"):
        assert row.department.name in body
        assert row.industry.name in body


@pytest.mark.django_db
def test_enterprise_has_no_supervision_page(login):
    assert login("ent1").get(URL).status_code == 403
