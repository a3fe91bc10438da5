"""Filters of the ledgers' lists: expense lines by kind and category; 三违 records by
kind, person and month."""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from anpai.enterprise import ledgers
from anpai.enterprise.choices import ExpenseDirection, ViolationAction, ViolationKind
from anpai.enterprise.models import SafetyExpense, Violation

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _categories():
    return list(ledgers.expense_categories().items())


class ExpenseFilterSet(filters.FilterSet):
    direction = filters.ChoiceFilter(choices=ExpenseDirection.choices, label=_("Kind"))
    category = filters.ChoiceFilter(choices=_categories, label=_("Category"))

    class Meta:
        model = SafetyExpense
        fields = ["direction", "category"]


class ViolationFilterSet(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ViolationKind.choices, label=_("Kind"))
    action = filters.ChoiceFilter(choices=ViolationAction.choices, label=_("Action taken"))
    person = filters.CharFilter(
        field_name="person_name", lookup_expr="icontains", label=_("Person")
    )
    month = filters.CharFilter(method="filter_month", label=_("Month"))

    class Meta:
        model = Violation
        fields = ["kind", "action", "person", "month"]

    def filter_month(self, queryset, name, value):
        match = MONTH.match((value or "").strip())
        if not match:
            return queryset
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or not 1900 <= year <= 9000:
            return queryset
        return queryset.filter(date__year=year, date__month=month)
