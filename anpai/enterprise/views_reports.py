"""Pages of the principal's yearly commitment (承诺书) and the self-inspection report
(自查检视报告) filed (备案) by the township.

Rows come only through ``restrict(user, action)``; every change is a function of
:mod:`anpai.enterprise.actions`, which re-checks scope, role and state. These
views parse input, call it and show its answer: field errors under the fields
(400), a refusal of the state as a message (409), nothing changed either way.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from anpai.audit.log import append
from anpai.audit.models import AuditAction
from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.core.xlsx import NO, XLSX_TYPE, YES, header_cell, safe
from anpai.enterprise import actions
from anpai.enterprise.choices import ReportState
from anpai.enterprise.forms_reports import (
    CommitmentForm,
    FileForm,
    ReportFilterSet,
    ReportForm,
    ReturnForm,
)
from anpai.enterprise.models import Commitment, ReportEvent, SelfInspectionReport

R = ReportState
COMMITMENT = actions.COMMITMENT
REPORT = actions.REPORT


def _get(model, user, pk: int, action: str = access.VIEW, related: tuple[str, ...] = ()):
    """The row if ``user`` may ``action`` it; 404 outside their view scope, 403 when they
    may see it but not do this."""
    base = model.objects.select_related(*related) if related else model.objects.all()
    found = base.restrict(user, action).filter(pk=pk).first()
    if found is not None:
        return found
    if action != access.VIEW and model.objects.restrict(user, access.VIEW).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def _raise_page(exc: Forbidden | NotFound):
    if isinstance(exc, NotFound):
        raise Http404 from exc
    raise PermissionDenied(str(exc.message)) from exc


def _year_param(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return actions.this_year()
    return year if 2000 <= year <= 2100 else actions.this_year()


# ================================================================ commitments


class CommitmentListView(RestrictedViewMixin, ListView):
    """Who has signed this year's commitment: the enterprises in the user's scope, signed
    and not signed, with counts; an enterprise sees its own and its earlier years."""

    model = Commitment
    resource = COMMITMENT
    template_name = "enterprise/commitment_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.year = _year_param(self.request)
        self.status = self.request.GET.get("status", "")
        self.q = self.request.GET.get("q", "").strip()
        rows = actions.coverage(self.request.user, self.year)
        if self.q:
            rows = rows.filter(name__icontains=self.q)
        self.all_rows = rows
        if self.status == "signed":
            rows = rows.filter(commitment_id__isnull=False)
        elif self.status == "unsigned":
            rows = rows.filter(commitment_id__isnull=True)
        return rows

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        counts = self.all_rows.aggregate(
            total=Count("id"), signed=Count("id", filter=Q(commitment_id__isnull=False))
        )
        counts["unsigned"] = counts["total"] - counts["signed"]
        signable = list(
            actions.organizations_for(user, COMMITMENT, access.ADD)
            .exclude(commitments__year=actions.this_year())
            .only("id", "name")[:20]
        )
        own = (
            Commitment.objects.restrict(user, access.VIEW)
            .filter(organization__in=actions.organizations_for(user, COMMITMENT, access.ADD))
            .select_related("organization")
            .order_by("-year")[:20]
            if access.can(user, COMMITMENT, access.ADD)
            else []
        )
        this_year = actions.this_year()
        ctx.update(
            year=self.year,
            years=list(range(this_year + 1, this_year - 5, -1)),
            status=self.status,
            q=self.q,
            counts=counts,
            percent=round(100 * counts["signed"] / counts["total"]) if counts["total"] else None,
            signable=signable,
            own=list(own),
            this_year=this_year,
            can_export=access.can(user, COMMITMENT, access.EXPORT),
        )
        return ctx


class CommitmentExportView(RestrictedViewMixin, View):
    """The year's coverage as xlsx (signed or not, by enterprise), in the audit trail."""

    resource = COMMITMENT
    permission_action = access.EXPORT

    def get(self, request):
        from openpyxl import Workbook

        year = _year_param(request)
        rows = actions.coverage(request.user, year, access.EXPORT)
        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Commitments"))
        sheet.append([safe(sheet, _("Principal's safety commitments %(year)d") % {"year": year})])
        header = [_("Organisation"), _("Village"), _("Signed"), _("Signed by"), _("Signed at")]
        sheet.append([header_cell(sheet, h) for h in header])
        count = 0
        for org in rows.iterator(chunk_size=500):
            count += 1
            signed_at = timezone.localtime(org.signed_at).strftime("%Y-%m-%d %H:%M") if (
                org.signed_at) else ""  # fmt: skip
            sheet.append(
                [
                    safe(sheet, org.name),
                    safe(sheet, org.region.name),
                    YES if org.commitment_id else NO,
                    safe(sheet, org.signer or ""),
                    signed_at,
                ]
            )
        out = io.BytesIO()
        book.save(out)
        out.seek(0)
        append(
            AuditAction.EXPORT,
            object_type=COMMITMENT,
            object_repr=_("Commitments %(year)d (%(n)d rows)") % {"year": year, "n": count},
            after={"year": year, "rows": count, "format": "xlsx"},
        )
        return FileResponse(
            out, as_attachment=True, filename=f"commitments-{year}.xlsx", content_type=XLSX_TYPE
        )


class CommitmentSignView(RestrictedViewMixin, View):
    """The principal reads the seven duties and the pledge, ticks each, and signs."""

    resource = COMMITMENT
    permission_action = access.ADD
    template_name = "enterprise/commitment_form.html"

    def _context(self, request, form) -> dict[str, Any]:
        orgs = list(actions.organizations_for(request.user, COMMITMENT, access.ADD)[:50])
        chosen = request.POST.get("organization") or request.GET.get("organization") or ""
        return {
            "form": form,
            "organizations": orgs,
            "chosen": str(chosen),
            "pledge": actions.pledge_text(),
            "law": actions.duty_data()["law"],
        }

    def get(self, request):
        form = CommitmentForm(
            initial={"year": actions.this_year(), "signer_name": request.user.get_full_name()}
        )
        return render(request, self.template_name, self._context(request, form))

    def post(self, request):
        form = CommitmentForm(request.POST)
        form.is_valid()
        try:
            commitment = actions.sign_commitment(
                by=request.user,
                organization=request.POST.get("organization") or None,
                year=request.POST.get("year"),
                duties_ticked=request.POST.getlist("duties"),
                extra=request.POST.get("extra", ""),
                signer_name=request.POST.get("signer_name", ""),
                signature=request.POST.get("signature", ""),
            )
        except Invalid as exc:
            form = CommitmentForm(request.POST)
            form.is_valid()
            form.add_action_errors(exc)
            return render(request, self.template_name, self._context(request, form), status=400)
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect("enterprise:commitments")
        except (Forbidden, NotFound) as exc:
            _raise_page(exc)
        messages.success(request, _("Commitment for %(year)d signed.") % {"year": commitment.year})
        return redirect("enterprise:commitment_detail", pk=commitment.pk)


class CommitmentDetailView(RestrictedViewMixin, View):
    resource = COMMITMENT

    def get(self, request, pk):
        commitment = _get(Commitment, request.user, pk, related=("organization", "signer"))
        texts = {d["code"]: d["text"] for d in actions.duties()}
        duties = [texts.get(code, code) for code in commitment.duties]
        return render(
            request,
            "enterprise/commitment_detail.html",
            {
                "c": commitment,
                "duties": duties,
                "law": actions.duty_data()["law"],
                "can_sign_next": False,
            },
        )


class CommitmentSignatureView(RestrictedViewMixin, View):
    resource = COMMITMENT

    def get(self, request, pk):
        commitment = _get(Commitment, request.user, pk)
        if not commitment.signature:
            raise Http404
        response = HttpResponse(commitment.signature.read(), content_type="image/png")
        response["Cache-Control"] = "private, max-age=3600"
        return response


def render_commitment_pdf(commitment: Commitment) -> bytes:
    """The commitment as printed: title, organisation, year, the seven duties numbered,
    the pledge, further commitments, the signature, the name and the date. Chinese text
    whatever the interface language (it is a Chinese form)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from anpai.inspections.pdf import cjk_font

    font = cjk_font()
    base = ParagraphStyle("base", fontName=font, fontSize=11.5, leading=19, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=20, leading=28, alignment=1)
    sub = ParagraphStyle("sub", parent=base, fontSize=11, alignment=1, spaceAfter=6 * mm)
    item = ParagraphStyle("item", parent=base, leftIndent=7 * mm, firstLineIndent=-7 * mm)
    body = ParagraphStyle("body", parent=base, firstLineIndent=2 * base.fontSize)
    right = ParagraphStyle("right", parent=base, alignment=2)

    def p(text: str, style=base) -> Paragraph:
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)

    org = commitment.organization
    texts = {d["code"]: d["text"] for d in actions.duties()}
    law = actions.duty_data()["law"]
    story: list[Any] = [
        p(f"{commitment.year}年度主要负责人安全生产承诺书", title),
        p(org.name, sub),
        p(
            f"根据{law}的规定，本人作为{org.name}主要负责人，"
            "对本单位安全生产工作全面负责，郑重承诺认真履行以下法定职责：",
            body,
        ),
        Spacer(1, 2 * mm),
    ]
    last = len(commitment.duties)
    for number, code in enumerate(commitment.duties, start=1):
        end = "。" if number == last else "；"
        story.append(p(f"{number}．{texts.get(code, code)}{end}", item))
    story += [Spacer(1, 3 * mm), p(commitment.pledge, body)]
    if commitment.extra:
        story += [Spacer(1, 2 * mm), p("其他承诺事项：", base), p(commitment.extra, body)]
    story.append(Spacer(1, 12 * mm))
    signed = timezone.localtime(commitment.signed_at)
    signature: Any = ""
    if commitment.signature:
        try:
            commitment.signature.open("rb")
            data = io.BytesIO(commitment.signature.read())
            commitment.signature.close()
            signature = Image(data, width=45 * mm, height=18 * mm, kind="proportional")
        except (OSError, ValueError):
            signature = ""
    table = Table(
        [
            [p("承诺单位（盖章）：", right), p(org.name)],
            [p("主要负责人（签字）：", right), signature],
            [p("姓名：", right), p(commitment.signer_name)],
            [p("日期：", right), p(f"{signed.year}年{signed.month}月{signed.day}日")],
        ],
        colWidths=[70 * mm, 80 * mm],
        hAlign="RIGHT",
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("BOTTOMPADDING", (0, 0), (-1, -1), 4)])
    )
    story.append(table)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=20 * mm,
        title=f"{commitment.year}年度主要负责人安全生产承诺书",
        author=org.name,
    )
    doc.build(story)
    return out.getvalue()


class CommitmentPdfView(RestrictedViewMixin, View):
    resource = COMMITMENT

    def get(self, request, pk):
        commitment = _get(Commitment, request.user, pk, related=("organization",))
        response = HttpResponse(render_commitment_pdf(commitment), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="commitment-{commitment.year}.pdf"'
        return response


# ================================================================ reports


def _files(user) -> bool:
    return access.can(user, REPORT, actions.FILE)


class ReportListView(RestrictedViewMixin, ListView):
    """The reports in the user's scope (no one else's drafts); for the township, the
    queue of submitted reports first."""

    model = SelfInspectionReport
    resource = REPORT
    template_name = "enterprise/report_list.html"
    paginate_by = 30

    def get_queryset(self):
        user = self.request.user
        base = SelfInspectionReport.objects.restrict(user, access.VIEW).select_related(
            "organization__region"
        )
        first = R.SUBMITTED if _files(user) else R.RETURNED
        base = base.annotate(
            queue=Case(
                When(state=first, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("queue", "-updated_at", "-id")
        self.filterset = ReportFilterSet(self.request.GET, queryset=base)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        get = self.request.GET
        waiting = (
            SelfInspectionReport.objects.restrict(user, actions.FILE)
            .filter(state=R.SUBMITTED)
            .count()
            if _files(user)
            else None
        )
        ctx.update(
            filter=self.filterset,
            selected={name: get.get(name, "") for name in ("state", "year", "q")},
            state_choices=R.choices,
            can_add=access.can(user, REPORT, access.ADD),
            files=_files(user),
            waiting=waiting,
            many_orgs=not access.can(user, REPORT, access.ADD),
        )
        return ctx


def _text_fields(form: ReportForm) -> list:
    return [form[name] for name in ("overview", "problems", "rectification", "next_steps")]


def _report_errors(form: ReportForm, exc: Invalid) -> None:
    form.add_action_errors(exc)


class ReportCreateView(RestrictedViewMixin, View):
    resource = REPORT
    permission_action = access.ADD
    template_name = "enterprise/report_form.html"

    def _context(self, request, form):
        return {
            "form": form,
            "text_fields": _text_fields(form),
            "report": None,
            "can_submit": access.can(request.user, REPORT, actions.SUBMIT),
            "organizations": list(actions.organizations_for(request.user, REPORT, access.ADD)[:50]),
            "chosen": request.POST.get("organization", ""),
        }

    def get(self, request):
        year = actions.this_year()
        form = ReportForm(
            initial={"year": year, "title": _("%(year)d self-inspection report") % {"year": year}}
        )
        return render(request, self.template_name, self._context(request, form))

    def post(self, request):
        form = ReportForm(request.POST, request.FILES)
        form.is_valid()
        try:
            report = actions.create_report(
                by=request.user,
                organization=request.POST.get("organization") or None,
                attachment=request.FILES.get("attachment"),
                **form.values(),
            )
        except Invalid as exc:
            _report_errors(form, exc)
            return render(request, self.template_name, self._context(request, form), status=400)
        except (Forbidden, NotFound) as exc:
            _raise_page(exc)
        if request.POST.get("then") == "submit":
            return ReportStepView.run(request, report.pk, "submit", version=report.version)
        messages.success(request, _("Draft saved. The principal submits it to the township."))
        return redirect("enterprise:report_detail", pk=report.pk)


class ReportEditView(RestrictedViewMixin, View):
    resource = REPORT
    permission_action = access.CHANGE
    template_name = "enterprise/report_form.html"

    def _report(self, request, pk):
        return _get(
            SelfInspectionReport,
            request.user,
            pk,
            access.CHANGE,
            related=("organization",),
        )

    def _context(self, report, form):
        return {
            "form": form,
            "text_fields": _text_fields(form),
            "report": report,
            "report_steps": actions.available_actions(report, self.request.user),
            "organizations": [],
            "chosen": "",
        }

    def get(self, request, pk):
        report = self._report(request, pk)
        if report.state not in (R.DRAFT, R.RETURNED):
            messages.error(
                request,
                _("Not possible while the report is “%(state)s”.")
                % {"state": report.get_state_display()},
            )
            return redirect("enterprise:report_detail", pk=pk)
        form = ReportForm(
            initial={name: getattr(report, name) for name in actions.REPORT_FIELDS}
            | {"version": report.version}
        )
        return render(request, self.template_name, self._context(report, form))

    def post(self, request, pk):
        report = self._report(request, pk)
        form = ReportForm(request.POST, request.FILES)
        form.is_valid()
        try:
            updated = actions.update_report(
                report.pk,
                by=request.user,
                version=request.POST.get("version"),
                attachment=request.FILES.get("attachment"),
                remove_attachment=bool(request.POST.get("remove_attachment")),
                **form.values(),
            )
        except Invalid as exc:
            _report_errors(form, exc)
            return render(request, self.template_name, self._context(report, form), status=400)
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect("enterprise:report_detail", pk=pk)
        except (Forbidden, NotFound) as exc:
            _raise_page(exc)
        if request.POST.get("then") == "submit":
            return ReportStepView.run(request, pk, "submit", version=updated.version)
        messages.success(request, _("Report saved."))
        return redirect("enterprise:report_detail", pk=pk)


STATE_BADGE = {
    R.DRAFT: "text-bg-secondary",
    R.SUBMITTED: "text-bg-primary",
    R.RETURNED: "text-bg-warning",
    R.FILED: "text-bg-success",
}


def report_context(report: SelfInspectionReport, user, **extra: Any) -> dict[str, Any]:
    events = list(
        ReportEvent.objects.filter(report=report).select_related("actor").order_by("at", "id")
    )
    labels = dict(R.choices)
    for e in events:
        e.moved = bool(e.from_state) and e.from_state != e.to_state
        e.from_label = labels.get(e.from_state, e.from_state)
        e.to_label = labels.get(e.to_state, e.to_state)
    last_return = next((e for e in reversed(events) if e.kind == "returned"), None)
    steps = actions.available_actions(report, user)
    return {
        "report": report,
        "events": events,
        "steps": steps,
        "last_return": last_return if report.state == R.RETURNED else None,
        "return_form": extra.pop("return_form", None)
        or ReturnForm(initial={"version": report.version}),
        "file_form": extra.pop("file_form", None) or FileForm(initial={"version": report.version}),
        "badge": STATE_BADGE.get(report.state, "text-bg-light"),
        **extra,
    }


class ReportDetailView(RestrictedViewMixin, View):
    resource = REPORT

    def get(self, request, pk):
        report = _get(
            SelfInspectionReport,
            request.user,
            pk,
            related=("organization__region", "filed_by", "created_by"),
        )
        return render(
            request, "enterprise/report_detail.html", report_context(report, request.user)
        )


class ReportStepView(RestrictedViewMixin, View):
    """One POST per step: submit (the principal), return or file (township/department)."""

    resource = REPORT
    step = ""

    def post(self, request, pk):
        return self.run(request, pk, self.step)

    @staticmethod
    def run(request, pk, step, version=None):
        user = request.user
        version = request.POST.get("version") if version is None else version
        return_form = file_form = None
        try:
            if step == "submit":
                actions.submit(pk, by=user, version=version)
                messages.success(request, _("Report submitted to the township."))
            elif step == "return":
                actions.send_back(
                    pk, by=user, comment=request.POST.get("comment", ""), version=version
                )
                messages.success(request, _("Report returned to the enterprise."))
            else:
                report = actions.file(
                    pk,
                    by=user,
                    filing_number=request.POST.get("filing_number", ""),
                    comment=request.POST.get("comment", ""),
                    version=version,
                )
                messages.success(
                    request, _("Report filed as %(number)s.") % {"number": report.filing_number}
                )
        except Invalid as exc:
            report = _get(SelfInspectionReport, user, pk, related=("organization__region",))
            form = (ReturnForm if step == "return" else FileForm)(request.POST)
            form.is_valid()
            form.add_action_errors(exc)
            if step == "return":
                return_form = form
            else:
                file_form = form
            ctx = report_context(
                report, user, return_form=return_form, file_form=file_form, open_step=step
            )
            return render(request, "enterprise/report_detail.html", ctx, status=400)
        except Conflict as exc:
            messages.error(request, str(exc.message))
        except (Forbidden, NotFound) as exc:
            _raise_page(exc)
        return redirect("enterprise:report_detail", pk=pk)


class ReportAttachmentView(RestrictedViewMixin, View):
    resource = REPORT

    def get(self, request, pk):
        report = _get(SelfInspectionReport, request.user, pk)
        if not report.attachment:
            raise Http404
        name = report.attachment.name.lower()
        kind = "application/pdf" if name.endswith(".pdf") else "image/jpeg"
        response = HttpResponse(report.attachment.read(), content_type=kind)
        response["Content-Disposition"] = "inline"
        response["X-Content-Type-Options"] = "nosniff"
        return response
