"""The rectification ledger (整改台账): the filtered hazard list as an xlsx workbook.

The columns are defined once, in :data:`COLUMNS`. :func:`write_ledger` streams
rows from the database in chunks into openpyxl's write-only mode, so memory
stays flat however many hazards there are. :func:`stream_ledger` answers an
export request: the file itself up to ``ANPAI_LEDGER_SYNC_MAX_ROWS`` rows, a
background job (see :mod:`anpai.jobs`) above that.

Column headers and the Chinese names of levels, sources and states are the
file format inspectors expect, not UI text: they stay Chinese in every
interface language.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import IO, Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.xlsx import XLSX_TYPE, header_cell, safe
from anpai.hazards.choices import HazardLevel, HazardSource, HazardState
from anpai.hazards.models import Hazard
from anpai.orgs.exports import scope_title
from anpai.orgs.models import Organization

RESOURCE = "hazards.hazard"
JOB_KIND = "hazard_ledger"
CHUNK = 2000
# Query parameters that page or format a list rather than filter it.
NOT_FILTERS = frozenset({"page", "page_size", "format"})

LEVEL_NAMES: dict[str, str] = {
    HazardLevel.GENERAL: "一般隐患",
    HazardLevel.MAJOR: "重大隐患",
}
SOURCE_NAMES: dict[str, str] = {
    HazardSource.SELF_INSPECTION: "企业自查",
    HazardSource.GOV_INSPECTION: "政府检查",
    HazardSource.JOINT_CHECK: "联合执法/暗查暗访",
    HazardSource.VILLAGE_PATROL: "村级巡查",
    HazardSource.TIP_OFF: "群众举报",
    HazardSource.ACCIDENT_LESSON: "事故举一反三",
    HazardSource.OTHER: "其他",
}
STATE_NAMES: dict[str, str] = {
    HazardState.REPORTED: "已上报",
    HazardState.ASSIGNED: "整改中",
    HazardState.RECTIFIED: "待验收",
    HazardState.CLOSED: "已销号",
    HazardState.VOIDED: "已作废",
}


def _local_date(value) -> date | None:
    return timezone.localtime(value).date() if value else None


def _person(user, name: str = "") -> str:
    if name:
        return name
    return user.get_full_name() if user is not None else ""


def _industry(h: Hazard) -> str:
    # The hazard's own industry; else its organisation's (see ledger_rows).
    if h.industry is not None:
        return h.industry.name
    return getattr(h, "org_industries", "")


def _description(h: Hazard) -> str:
    place = f"（{h.place}）" if h.place else ""
    return f"{h.title}{place}：{h.description}" if h.description else f"{h.title}{place}"


@dataclass(frozen=True)
class Column:
    """One ledger column: its header, width (characters) and the cell for a hazard."""

    header: str
    width: int
    value: Callable[[Hazard], Any]


SEQ_HEADER = "序号"
COLUMNS: list[Column] = [
    Column("隐患编号", 15, lambda h: h.number or ""),
    Column("单位名称", 30, lambda h: h.organization.name),
    Column("所在村", 12, lambda h: h.organization.region.name),
    Column("行业", 14, _industry),
    Column("发现日期", 11, lambda h: _local_date(h.found_at)),
    Column("隐患来源", 12, lambda h: SOURCE_NAMES.get(h.source, h.source)),
    Column("隐患描述", 50, _description),
    Column("隐患等级", 9, lambda h: LEVEL_NAMES.get(h.level, h.level)),
    Column("整改责任人", 10, lambda h: _person(h.responsible_user, h.responsible_name)),
    Column("整改措施", 40, lambda h: h.measures),
    Column("整改资金（元）", 12, lambda h: h.funds),
    Column("整改时限", 11, lambda h: h.deadline),
    Column("应急预案", 30, lambda h: h.contingency),
    Column("状态", 8, lambda h: STATE_NAMES.get(h.state, h.state)),
    Column("整改完成日期", 12, lambda h: _local_date(h.rectified_at)),
    Column("验收人", 10, lambda h: _person(h.verified_by)),
    Column("验收日期", 11, lambda h: _local_date(h.verified_at)),
    Column("逾期天数", 8, lambda h: h.overdue_days or None),
]
# What the columns read (and Hazard.overdue_days): loaded, nothing else.
LOADED_RELATIONS = ("organization__region", "industry", "responsible_user", "verified_by")
LOADED_FIELDS = (
    "number", "organization__name", "organization__region__name", "industry__name",
    "found_at", "source", "title", "place", "description", "level",
    "responsible_user__full_name", "responsible_user__username", "responsible_name",
    "measures", "funds", "deadline", "contingency", "state", "rectified_at",
    "verified_by__full_name", "verified_by__username", "verified_at",
)  # fmt: skip
HEADERS: list[str] = [SEQ_HEADER, *(c.header for c in COLUMNS)]
WIDTHS: list[int] = [6, *(c.width for c in COLUMNS)]
TITLE_ROWS = 2  # the title and the date line, above the header row


def _org_industries(queryset) -> dict[int, str]:
    """Organisation id → its industries' names, for the organisations in ``queryset``.

    One query for the whole export: memory grows with organisations, not
    hazards, and no per-row related manager is built (prefetching would).
    """
    through = Organization.industries.through
    names: dict[int, list[str]] = {}
    pairs = (
        through.objects.filter(organization_id__in=queryset.values("organization_id"))
        .order_by("organization_id", "industry__sort_order", "industry_id")
        .values_list("organization_id", "industry__name")
    )
    for org_id, name in pairs:
        names.setdefault(org_id, []).append(name)
    return {org_id: "、".join(values) for org_id, values in names.items()}


def ledger_rows(queryset) -> Any:
    """The hazards of ``queryset`` as ledger rows (lists of cell values), streamed.

    Prefetches the caller set (attachments, say) are dropped: the ledger loads
    exactly what its columns show, in a constant number of queries.
    """
    queryset = queryset.prefetch_related(None)
    industries = _org_industries(queryset)
    rows = (
        # Narrower than with_list_related(): only the columns' relations and
        # fields. A hazard row also carries the governance plan, the category,
        # the reporter …, which would cost time and a chunk's worth of memory.
        queryset.select_related(None)
        .select_related(*LOADED_RELATIONS)
        .only(*LOADED_FIELDS)
        .order_by("found_at", "id")
        .iterator(chunk_size=CHUNK)
    )
    for seq, hazard in enumerate(rows, start=1):
        hazard.org_industries = industries.get(hazard.organization_id, "")
        yield [seq, *(column.value(hazard) for column in COLUMNS)]


def write_ledger(
    queryset,
    out: IO[bytes],
    *,
    title: str,
    subtitle: str = "",
    on_progress: Callable[[int], None] | None = None,
) -> int:
    """Write the ledger of ``queryset`` (already restricted and filtered) to ``out``.

    A title row (and ``subtitle``, the date line), the header row, frozen
    panes below it, column widths, then one row per hazard in order found.
    Every text cell is escaped against formula injection. ``on_progress(n)``
    is called every chunk with the rows written so far. Returns the row count.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("整改台账")
    for index, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Header rows stay in view; so do 序号 and 隐患编号 when scrolling right.
    sheet.freeze_panes = f"C{TITLE_ROWS + 2}"

    title_cell = WriteOnlyCell(sheet, title)
    title_cell.font = Font(bold=True, size=14)
    sheet.append([title_cell])
    sheet.append([safe(sheet, subtitle)])
    sheet.append([header_cell(sheet, text) for text in HEADERS])

    count = 0
    for row in ledger_rows(queryset):
        sheet.append([safe(sheet, value) for value in row])
        count += 1
        if on_progress is not None and count % CHUNK == 0:
            on_progress(count)
    workbook.save(out)
    if on_progress is not None:
        on_progress(count)
    return count


# ---------------------------------------------------------------- titles and names


def title_for(user) -> str:
    """The title row: the townships (or county) of the user's scope, and the ledger's name."""
    return f"{scope_title(user)} 重大事故隐患排查整治整改台账".strip()


def subtitle_for(filters: dict[str, list[str]], today: date | None = None) -> str:
    """The date line: the found-date range of the filters and the export date."""
    start = _first_date(filters.get("found_after"))
    end = _first_date(filters.get("found_before"))
    if start and end:
        span = f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"
    elif start:
        span = f"{start:%Y-%m-%d} 以后"
    elif end:
        span = f"{end:%Y-%m-%d} 以前"
    else:
        span = "不限"
    return f"发现日期：{span}　导出日期：{(today or timezone.localdate()):%Y-%m-%d}"


def _first_date(values: list[str] | None) -> date | None:
    for value in values or ():
        try:
            parsed = parse_date(value.strip())
        except ValueError:
            parsed = None
        if parsed:
            return parsed
    return None


def filename(today: date | None = None) -> str:
    return f"整改台账-{(today or timezone.localdate()):%Y%m%d}.xlsx"


def filters_of(request) -> dict[str, list[str]]:
    """The filter parameters given (blank ones dropped), for the audit record and a job."""
    return {
        name: values
        for name in request.GET
        if name not in NOT_FILTERS
        and (values := [v for v in request.GET.getlist(name) if v.strip()])
    }


def filtered_queryset(user, filters: dict[str, list[str]]):
    """The hazards ``user`` may export, filtered as the list page filters them."""
    from anpai.hazards.filtersets import HazardFilterSet

    data = QueryDict(mutable=True)
    for name, values in filters.items():
        data.setlist(name, values)
    base = Hazard.objects.restrict(user, access.EXPORT)
    # The filterset reads request.user (for "my tasks" and the choice lists).
    filterset = HazardFilterSet(data, queryset=base, request=SimpleNamespace(user=user))
    return filterset.qs


# ---------------------------------------------------------------- answering a request


def _is_api(request) -> bool:
    from rest_framework.request import Request

    return isinstance(request, Request)


def stream_ledger(queryset, user, request):
    """Answer a ledger export of ``queryset`` (filtered, restricted by the caller).

    Up to ``ANPAI_LEDGER_SYNC_MAX_ROWS`` rows: the xlsx itself. More: a
    background job rebuilt from the request's filters, answered with 202 and
    the job (API) or a redirect to the job's page (web). Both are recorded in
    the audit trail with the filters and the row count.
    """
    # Whatever the caller restricted by, only rows the user may export leave.
    queryset = queryset.restrict(user, access.EXPORT)
    filters = filters_of(request)
    count = queryset.count()
    limit = settings.ANPAI_LEDGER_SYNC_MAX_ROWS
    if count > limit:
        return _start_job(user, request, filters, count)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned open)
    written = write_ledger(queryset, out, title=title_for(user), subtitle=subtitle_for(filters))
    out.seek(0)
    append(
        AuditAction.EXPORT,
        object_type=RESOURCE,
        object_repr=f"整改台账（{written}条）",
        after={"filters": filters, "rows": written, "format": "xlsx"},
    )
    return FileResponse(out, as_attachment=True, filename=filename(), content_type=XLSX_TYPE)


def _start_job(user, request, filters: dict[str, list[str]], count: int):
    from anpai.jobs import runner

    # The job and its audit record commit together; the runner starts after that.
    with transaction.atomic():
        job = runner.create(
            JOB_KIND,
            user=user,
            params={"filters": filters},
            title=_("Rectification ledger (%(n)s rows)") % {"n": f"{count:,}"},
            total=count,
        )
        append(
            AuditAction.EXPORT,
            object_type=RESOURCE,
            object_repr=f"整改台账（{count}条，后台任务 #{job.pk}）",
            after={"filters": filters, "rows": count, "format": "xlsx", "job": job.pk},
        )
    page = reverse("jobs:detail", args=[job.pk])
    if _is_api(request):
        from anpai.jobs.api import JobSerializer

        url = request.build_absolute_uri(reverse("api:job-detail", args=[job.pk]))
        body = {**JobSerializer(job, context={"request": request}).data, "url": url}
        body["page"] = request.build_absolute_uri(page)
        response = JsonResponse(body, status=202)
        response["Location"] = url
        return response
    messages.info(
        request,
        _(
            "The ledger has %(n)s rows; it is being prepared in the background. "
            "The download link appears here when it is ready."
        )
        % {"n": f"{count:,}"},
    )
    return HttpResponseRedirect(page)


def run_ledger_job(job, progress):
    """The ``hazard_ledger`` job: rebuild the filtered export and write it to a file.

    The rows are chosen again now, as the job's owner may export them now.
    """
    from anpai.jobs.registry import JobOutput

    user = job.user
    filters = job.params.get("filters", {})
    queryset = filtered_queryset(user, filters)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the runner, which closes it)
    progress(0)
    write_ledger(
        queryset,
        out,
        title=title_for(user),
        subtitle=subtitle_for(filters, today=timezone.localdate(job.created_at)),
        on_progress=progress,
    )
    out.seek(0)
    return JobOutput(out, filename(timezone.localdate(job.created_at)), XLSX_TYPE)
