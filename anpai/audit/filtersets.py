"""The audit page's search: one FilterSet for the list and its export."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters as filters
from django import forms
from django.apps import apps
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from anpai.audit.models import AuditAction, AuditRecord


def object_type_choices() -> list[tuple[str, str]]:
    """Every audited model (plus the trail itself, whose exports are recorded), by name."""
    from anpai.audit.signals import AUDITED

    labels = set(AUDITED) | {"audit.auditrecord"}
    choices = []
    for label in labels:
        try:
            model = apps.get_model(label)
        except LookupError:  # pragma: no cover - a registered label that went away
            continue
        choices.append((label, capfirst(str(model._meta.verbose_name))))
    return sorted(choices, key=lambda c: c[1])


def object_type_label(label: str) -> str:
    """A model label (``orgs.organization``) as its name on screen."""
    try:
        return capfirst(str(apps.get_model(label)._meta.verbose_name))
    except (LookupError, ValueError):
        return label


def _day_start(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class DateInput(forms.DateInput):
    input_type = "date"


class AuditRecordFilterSet(filters.FilterSet):
    since = filters.DateFilter(
        label=_("From"), method="filter_since", widget=DateInput(format="%Y-%m-%d")
    )
    until = filters.DateFilter(
        label=_("To"), method="filter_until", widget=DateInput(format="%Y-%m-%d")
    )
    user = filters.CharFilter(label=_("User"), field_name="actor_username", lookup_expr="icontains")
    action = filters.MultipleChoiceFilter(label=_("Action"), choices=AuditAction.choices)
    object_type = filters.ChoiceFilter(label=_("Object type"), choices=())
    object_id = filters.CharFilter(label=_("Object id"), method="filter_object_id")
    q = filters.CharFilter(label=_("Text"), field_name="object_repr", lookup_expr="icontains")

    class Meta:
        model = AuditRecord
        fields = ["since", "until", "user", "action", "object_type", "object_id", "q"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per instance: apps register audited models at start-up, and labels translate.
        self.filters["object_type"].extra["choices"] = object_type_choices()

    # Days are whole days in the site's time zone, turned into an indexed
    # range on ``at`` rather than a per-row date conversion.
    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + timedelta(days=1)))

    def filter_object_id(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(object_id=value) if value else queryset
