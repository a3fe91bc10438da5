"""The audit administrator's searchable audit page, its export and chain check (read-only).

Nothing here edits or deletes a record: the only writes are the export's own
audit record and the remembered result of a chain verification.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import DateTimeField
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from anpai.audit.filtersets import AuditRecordFilterSet, object_type_label
from anpai.audit.log import append, verify
from anpai.audit.models import AuditAction, AuditRecord, ChainCheck
from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.core.xlsx import safe

RESOURCE = "audit.auditrecord"
# Long values (notes, addresses) are cut on screen; the export has them whole.
MAX_VALUE_CHARS = 80

ACTION_BADGES = {
    AuditAction.CREATE: "text-bg-success",
    AuditAction.UPDATE: "text-bg-primary",
    AuditAction.DELETE: "text-bg-danger",
    AuditAction.LOGIN: "text-bg-secondary",
    AuditAction.LOGOUT: "text-bg-light border",
    AuditAction.LOGIN_FAILED: "text-bg-warning",
    AuditAction.EXPORT: "text-bg-info",
    AuditAction.IMPORT: "text-bg-info",
    AuditAction.TOKEN: "text-bg-dark",
}


def _model(label: str):
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)  # also finds ``region_id`` by its attname
    except FieldDoesNotExist:
        return None


def _cut(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


class ValueNames:
    """Turns stored values into what people read: choice labels, yes/no, related names.

    Related objects are looked up in one query per related model for the whole
    page, so the page's query count does not grow with its rows.
    """

    def __init__(self, records) -> None:
        wanted: dict[Any, set] = {}
        for record in records:
            model = _model(record.object_type)
            for data in (record.before, record.after):
                if not isinstance(data, dict):
                    continue
                for key, value in data.items():
                    field = _field(model, key)
                    if field is None or not field.is_relation or value in (None, "", []):
                        continue
                    ids = value if isinstance(value, list) else [value]
                    wanted.setdefault(field.related_model, set()).update(ids)
        self.names: dict[Any, dict[str, str]] = {}
        for related, ids in wanted.items():
            rows = related._base_manager.filter(pk__in=sorted(ids, key=str))
            self.names[related] = {str(obj.pk): str(obj) for obj in rows}

    def display(self, model, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        field = _field(model, key)
        if field is not None and field.is_relation:
            names = self.names.get(field.related_model, {})
            ids = value if isinstance(value, list) else [value]
            return _cut(", ".join(names.get(str(i), f"#{i}") for i in ids))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(field, DateTimeField) and isinstance(value, str):
            moment = parse_datetime(value)
            if moment is not None:
                if timezone.is_aware(moment):
                    moment = timezone.localtime(moment)
                return moment.strftime("%Y-%m-%d %H:%M:%S")
        if field is not None and field.choices:
            return _cut(str(dict(field.flatchoices).get(value, value)))
        if isinstance(value, list):
            return _cut(", ".join(str(v) for v in value))
        if isinstance(value, dict):
            return _cut(json.dumps(value, ensure_ascii=False, sort_keys=True))
        return _cut(str(value))


def diff_rows(record: AuditRecord, names: ValueNames | None = None) -> list[tuple[str, str, str]]:
    """(field, before, after) for the fields a record names, labelled by the model."""
    names = names or ValueNames([record])
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    model = _model(record.object_type)
    keys = sorted(set(before) | set(after))
    if record.action == AuditAction.CREATE:
        # A creation lists only what was filled in.
        keys = [k for k in keys if after.get(k) not in (None, "", [], False)]
    elif record.action == AuditAction.DELETE:
        keys = [k for k in keys if before.get(k) not in (None, "", [], False)]
    rows = []
    for key in keys:
        field = _field(model, key)
        label = str(field.verbose_name) if field is not None else key
        rows.append(
            (
                label,
                names.display(model, key, before.get(key)) if key in before else "",
                names.display(model, key, after.get(key)) if key in after else "",
            )
        )
    return rows


class AuditListView(RestrictedViewMixin, ListView):
    """Search the trail by time, user, action, object and text; newest first."""

    model = AuditRecord
    resource = RESOURCE
    template_name = "audit/auditrecord_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset().order_by("-seq")
        self.filterset = AuditRecordFilterSet(
            self.request.GET or None, queryset=qs, request=self.request
        )
        if self.filterset.is_bound and not self.filterset.is_valid():
            # A malformed date shows its error under the field; the list stays whole.
            return qs
        return self.filterset.qs

    def get_template_names(self):
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.history_restore_request:
            return ["audit/_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        records = list(ctx["object_list"])
        names = ValueNames(records)
        for record in records:
            record.diff = diff_rows(record, names)
            record.type_label = object_type_label(record.object_type) if record.object_type else ""
            record.badge = ACTION_BADGES.get(record.action, "text-bg-secondary")
        ctx["filter"] = self.filterset
        ctx["last_check"] = ChainCheck.objects.order_by("-at", "-id").first()
        ctx["can_export"] = access.can(self.request.user, RESOURCE, access.EXPORT)
        return ctx


class AuditVerifyView(LoginRequiredMixin, View):
    """Walk the chain now (POST, as it is costly) and remember the result for the panel."""

    http_method_names = ["post"]

    def post(self, request):
        if not access.can(request.user, RESOURCE, access.VIEW):
            raise PermissionDenied
        result = verify()
        ChainCheck.objects.create(
            username=request.user.get_username(),
            source="web",
            ok=result.ok,
            checked=result.checked,
            broken_seq=result.seq,
            message=result.message[:255],
        )
        if result.ok:
            messages.success(
                request,
                _("The audit chain is intact: %(n)d records verified.") % {"n": result.checked},
            )
        else:
            messages.error(
                request,
                _("The audit chain is broken at record #%(seq)s: %(message)s")
                % {"seq": result.seq, "message": result.message},
            )
        return HttpResponseRedirect(reverse("audit:list"))


EXPORT_COLUMNS = (
    ("seq", "#"),
    ("at", gettext_lazy("Time")),
    ("actor_username", gettext_lazy("User")),
    ("ip", gettext_lazy("Address")),
    ("source", gettext_lazy("Source")),
    ("request_id", gettext_lazy("Request")),
    ("action", gettext_lazy("Action")),
    ("object_type", gettext_lazy("Object type")),
    ("object_id", gettext_lazy("Object id")),
    ("object_repr", gettext_lazy("Object")),
    ("before", gettext_lazy("Before")),
    ("after", gettext_lazy("After")),
    ("hash", gettext_lazy("Hash")),
)


class AuditExportView(RestrictedViewMixin, View):
    """The filtered records as xlsx; the export is itself recorded in the trail."""

    model = AuditRecord
    resource = RESOURCE
    permission_action = access.EXPORT

    def get(self, request):
        qs = AuditRecord.objects.restrict(request.user, access.EXPORT).order_by("-seq")
        filterset = AuditRecordFilterSet(request.GET or None, queryset=qs, request=request)
        if filterset.is_bound and not filterset.is_valid():
            messages.error(request, _("Correct the search before exporting."))
            return HttpResponseRedirect(reverse("audit:list") + "?" + request.GET.urlencode())
        rows = filterset.qs

        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title="audit")
        sheet.append([str(label) for _name, label in EXPORT_COLUMNS])
        actions = dict(AuditAction.choices)
        count = 0
        for record in rows.iterator(chunk_size=2000):
            values = []
            for name, _label in EXPORT_COLUMNS:
                value = getattr(record, name)
                if name == "at":
                    value = timezone.localtime(value).replace(tzinfo=None)
                elif name == "action":
                    value = str(actions.get(value, value))
                elif name in ("before", "after"):
                    value = (
                        ""
                        if value is None
                        else json.dumps(value, ensure_ascii=False, sort_keys=True)
                    )
                values.append(value)
            sheet.append([safe(sheet, v) for v in values])  # object names are user input
            count += 1
        buffer = BytesIO()
        workbook.save(buffer)
        append(
            AuditAction.EXPORT,
            object_type=RESOURCE,
            object_repr="audit records",
            after={
                "filters": {k: request.GET.getlist(k) for k in sorted(request.GET)},
                "rows": count,
            },
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.xlsx"'
        return response
