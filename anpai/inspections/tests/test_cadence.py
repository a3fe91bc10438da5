"""The inspection cadence: calendar periods, the nightly job, done and missed periods."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from anpai.inspections.cadence import (
    BACKFILL_DAYS,
    deactivate,
    ensure_periods,
    mark_done_for,
    period_bounds,
    periods_between,
)
from anpai.inspections.choices import Cadence, InspectionKind, InspectionState, PeriodState
from anpai.inspections.models import ChecklistTemplate, DutyPeriod, Inspection, InspectionDuty
from anpai.people.models import Membership

C = Cadence


@pytest.mark.parametrize(
    ("cadence", "day", "expected"),
    [
        (C.DAILY, date(2024, 2, 29), (date(2024, 2, 29), date(2024, 2, 29))),
        # Weeks run Monday to Sunday.
        (C.WEEKLY, date(2023, 11, 17), (date(2023, 11, 13), date(2023, 11, 19))),
        (C.WEEKLY, date(2023, 11, 13), (date(2023, 11, 13), date(2023, 11, 19))),
        (C.WEEKLY, date(2023, 12, 31), (date(2023, 12, 25), date(2023, 12, 31))),
        # 旬: 1–10, 11–20, 21–end of month (28, 29, 30 or 31).
        (C.TEN_DAY, date(2024, 2, 10), (date(2024, 2, 1), date(2024, 2, 10))),
        (C.TEN_DAY, date(2024, 2, 11), (date(2024, 2, 11), date(2024, 2, 20))),
        (C.TEN_DAY, date(2024, 2, 21), (date(2024, 2, 21), date(2024, 2, 29))),
        (C.TEN_DAY, date(2023, 2, 28), (date(2023, 2, 21), date(2023, 2, 28))),
        (C.TEN_DAY, date(2023, 12, 31), (date(2023, 12, 21), date(2023, 12, 31))),
        (C.MONTHLY, date(2024, 2, 15), (date(2024, 2, 1), date(2024, 2, 29))),
        (C.QUARTERLY, date(2024, 1, 1), (date(2024, 1, 1), date(2024, 3, 31))),
        (C.QUARTERLY, date(2023, 11, 17), (date(2023, 10, 1), date(2023, 12, 31))),
        (C.QUARTERLY, date(2024, 6, 30), (date(2024, 4, 1), date(2024, 6, 30))),
    ],
)
def test_period_bounds(cadence, day, expected):
    assert period_bounds(cadence, day) == expected


def test_periods_between_are_contiguous():
    for cadence in Cadence.values:
        periods = periods_between(cadence, date(2023, 1, 5), date(2024, 3, 3))
        assert periods[0][0] <= date(2023, 1, 5) <= periods[0][1]
        assert periods[-1][0] <= date(2024, 3, 3) <= periods[-1][1]
        for (_, end), (start, _) in itertools.pairwise(periods):
            assert start == end + timedelta(days=1)


def test_unknown_cadence():
    with pytest.raises(ValueError, match="cadence"):
        period_bounds("hourly", date(2024, 1, 1))


# ---------------------------------------------------------------- the job


@pytest.fixture
def ent1_org(demo):
    return Membership.objects.get(user=demo["ent1"]).organization


@pytest.fixture
def template(db):
    template = ChecklistTemplate.objects.current().first()
    if template is None:
        template = ChecklistTemplate.objects.create(code="t-cadence", name="检查表")
    return template


@pytest.fixture
def duty(ent1_org, demo, template):
    """A fresh duty of ent1's enterprise (the demo season's duties and self-inspections
    there removed first)."""
    InspectionDuty.objects.filter(organization=ent1_org).delete()
    Inspection.objects.filter(organization=ent1_org, kind=InspectionKind.SELF).delete()

    def _duty(cadence=Cadence.DAILY, starts_on=None, **extra):
        return InspectionDuty.objects.create(
            organization=ent1_org,
            cadence=cadence,
            person=extra.pop("person", demo["ent1safety"]),
            template_code=template.code,
            starts_on=starts_on or timezone.localdate() - timedelta(days=10),
            **extra,
        )

    return _duty


@pytest.fixture
def inspect(ent1_org, demo, template):
    """A submitted self-inspection of ent1's enterprise at a cadence, on a day."""

    def _inspect(day, cadence=Cadence.DAILY, *, submitted_on=None, kind=InspectionKind.SELF):
        submitted_on = submitted_on or day
        return Inspection.objects.create(
            organization=ent1_org,
            kind=kind,
            cadence=cadence if kind == InspectionKind.SELF else "",
            template=template,
            date=day,
            lead=demo["ent1safety"],
            state=InspectionState.SUBMITTED,
            submitted_at=timezone.make_aware(datetime.combine(submitted_on, time(15))),
        )

    return _inspect


def _states(duty) -> dict[date, str]:
    return dict(DutyPeriod.objects.filter(duty=duty).values_list("start", "state"))


def test_daily_duty_without_inspection_yesterday_is_missed_for_yesterday(duty, inspect):
    """Done when: a daily duty with no inspection yesterday shows as missed for yesterday."""
    today = timezone.localdate()
    yesterday = today - timedelta(days=1)
    daily = duty(Cadence.DAILY, starts_on=today - timedelta(days=3))
    inspect(today - timedelta(days=2))  # the day before yesterday was done
    ensure_periods(today)
    states = _states(daily)
    assert states[yesterday] == PeriodState.MISSED
    assert states[today - timedelta(days=2)] == PeriodState.DONE
    assert states[today] == PeriodState.DUE
    assert states[today + timedelta(days=1)] == PeriodState.DUE  # the next one is there too
    missed = DutyPeriod.objects.get(duty=daily, start=yesterday)
    assert (missed.end, missed.inspection) == (yesterday, None)


def test_job_is_idempotent_and_backfills(duty):
    today = date(2024, 1, 17)
    weekly = duty(Cadence.WEEKLY, starts_on=date(2023, 11, 17))
    first = ensure_periods(today)
    # From the week of 2023-11-13 to the week after this one (2024-01-22).
    starts = sorted(_states(weekly))
    assert starts[0] == date(2023, 11, 13)
    assert starts[-1] == date(2024, 1, 22)
    assert first["created"] >= len(starts)
    assert ensure_periods(today)["created"] == 0
    assert ensure_periods(today) == {"created": 0, "done": 0, "missed": 0}
    assert sorted(_states(weekly)) == starts
    assert DutyPeriod.objects.filter(duty=weekly, start=date(2024, 1, 15)).get().state == "due"


def test_backfill_is_bounded(duty):
    today = date(2024, 1, 17)
    old = duty(Cadence.DAILY, starts_on=date(2020, 1, 1))
    ensure_periods(today)
    first = min(_states(old))
    assert first == today - timedelta(days=BACKFILL_DAYS)


def test_inspection_in_an_ended_period_makes_it_done(duty, inspect):
    today = date(2024, 1, 17)
    monthly = duty(Cadence.MONTHLY, starts_on=date(2023, 11, 1))
    dec = inspect(date(2023, 12, 5), Cadence.MONTHLY)
    inspect(date(2023, 11, 20), Cadence.WEEKLY)  # another level does not count
    inspect(date(2023, 11, 21), kind=InspectionKind.TOWNSHIP)  # nor a government inspection
    counts = ensure_periods(today)
    period = DutyPeriod.objects.get(duty=monthly, start=date(2023, 12, 1))
    assert (period.state, period.inspection) == (PeriodState.DONE, dec)
    assert _states(monthly)[date(2023, 11, 1)] == PeriodState.MISSED
    assert _states(monthly)[date(2024, 1, 1)] == PeriodState.DUE
    assert counts["done"] == 1
    assert counts["missed"] == 1


def test_a_draft_does_not_count(duty, inspect):
    today = date(2024, 1, 17)
    daily = duty(Cadence.DAILY, starts_on=date(2024, 1, 15))
    draft = inspect(date(2024, 1, 15))
    Inspection.objects.filter(pk=draft.pk).update(state=InspectionState.DRAFT)
    ensure_periods(today)
    assert _states(daily)[date(2024, 1, 15)] == PeriodState.MISSED


def test_submitting_marks_the_running_period_done(duty, inspect):
    today = timezone.localdate()
    weekly = duty(Cadence.WEEKLY, starts_on=today - timedelta(days=30))
    ensure_periods(today)
    start, _ = period_bounds(Cadence.WEEKLY, today)
    assert _states(weekly)[start] == PeriodState.DUE
    inspection = inspect(today, Cadence.WEEKLY)
    assert mark_done_for(inspection) == 1
    period = DutyPeriod.objects.get(duty=weekly, start=start)
    assert (period.state, period.inspection) == (PeriodState.DONE, inspection)
    assert mark_done_for(inspection) == 0  # idempotent


def test_submitting_creates_periods_of_a_new_duty(duty, inspect):
    today = timezone.localdate()
    daily = duty(Cadence.DAILY, starts_on=today)
    assert not DutyPeriod.objects.filter(duty=daily).exists()
    assert mark_done_for(inspect(today)) == 1
    assert _states(daily)[today] == PeriodState.DONE


def test_late_submission_grace(duty, inspect):
    """Finished the morning after the period: counts. Back-dated a week later: does not."""
    today = timezone.localdate()
    daily = duty(Cadence.DAILY, starts_on=today - timedelta(days=10))
    ensure_periods(today)
    two_days_ago, five_days_ago = today - timedelta(days=2), today - timedelta(days=5)
    assert _states(daily)[two_days_ago] == PeriodState.MISSED
    mark_done_for(inspect(two_days_ago, submitted_on=two_days_ago + timedelta(days=1)))
    mark_done_for(inspect(five_days_ago, submitted_on=today))
    states = _states(daily)
    assert states[two_days_ago] == PeriodState.DONE
    assert states[five_days_ago] == PeriodState.MISSED


def test_other_kinds_and_drafts_mark_nothing(duty, inspect):
    today = timezone.localdate()
    duty(Cadence.DAILY, starts_on=today)
    assert mark_done_for(inspect(today, kind=InspectionKind.TOWNSHIP)) == 0
    draft = inspect(today)
    draft.state = InspectionState.DRAFT
    assert mark_done_for(draft) == 0


def test_deactivated_duty_owes_nothing_from_today(duty):
    today = timezone.localdate()
    daily = duty(Cadence.DAILY, starts_on=today - timedelta(days=5))
    ensure_periods(today)
    deactivate(daily)
    states = _states(daily)
    assert today not in states
    assert today + timedelta(days=1) not in states
    assert states[today - timedelta(days=1)] == PeriodState.MISSED  # history stays
    ensure_periods(today + timedelta(days=3))
    assert max(_states(daily)) < today


def test_future_duty_waits(duty):
    today = date(2024, 1, 17)
    later = duty(Cadence.DAILY, starts_on=date(2024, 3, 1))
    ensure_periods(today)
    assert not DutyPeriod.objects.filter(duty=later).exists()


def test_command_and_task(duty):
    from io import StringIO

    from anpai.inspections.tasks import inspection_periods

    daily = duty(Cadence.DAILY, starts_on=date(2024, 1, 1))
    out = StringIO()
    call_command("inspection_periods", "--date", "2024-01-10", stdout=out)
    assert "created" in out.getvalue()
    assert _states(daily)[date(2024, 1, 9)] == PeriodState.MISSED
    result = inspection_periods()
    assert set(result) == {"created", "done", "missed"}
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("inspection_periods", "--date", "17.11.2023")


def test_beat_schedule_runs_nightly():
    from anpai.celery import app

    entry = app.conf.beat_schedule["inspection-duty-periods"]
    assert entry["task"] == "anpai.inspections.tasks.inspection_periods"
    assert entry["schedule"].hour == {0}
    assert entry["schedule"].minute == {30}
