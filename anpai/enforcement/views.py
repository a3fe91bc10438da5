"""Enforcement pages: the case list (and its ledger as xlsx), opening a case (from an
inspection or directly), the case page with its measures, documents, reviews and
history, one page per step (record, order, suspension, closure, fine, referral,
review, closing, cancelling a document), the reviews due, the documents, the
documents' PDF and Word files, accountability records with their files, the
suggestions to act on, and the township's document settings.

Rows come only through ``restrict(user, action)``; every change is a function of
:mod:`anpai.enforcement.actions`, which re-checks scope, role, state and version.
These views parse input, call it and map its errors to pages.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from anpai.core import access
from anpai.core.errors import Conflict, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.enforcement import actions
from anpai.enforcement import render as render_docs
from anpai.enforcement.choices import (
    OPEN_STATES,
    AccountabilityKind,
    CaseState,
    DocumentKind,
    Ground,
    MeasureKind,
    ReviewState,
)
from anpai.enforcement.filtersets import CaseFilterSet, DocumentFilterSet
from anpai.enforcement.forms import (
    AccountabilityForm,
    CancelForm,
    CaseForm,
    CloseDownForm,
    CloseForm,
    FileForm,
    FineForm,
    OrderForm,
    RecordForm,
    ReferForm,
    ReviewForm,
    SettingsForm,
    SuspendForm,
    case_organizations,
    record_organizations,
)
from anpai.enforcement.models import (
    AccountabilityFile,
    AccountabilityRecord,
    Case,
    Document,
    DocumentSettings,
    Measure,
    Review,
)
from anpai.orgs.models import Organization

RESOURCE = actions.RESOURCE
RECORD_RESOURCE = actions.RECORD_RESOURCE
SETTINGS_RESOURCE = actions.SETTINGS_RESOURCE


def _action_error(exc: Forbidden | NotFound) -> None:
    """Forbidden → 403, NotFound → 404 (both carry a translated message)."""
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message)) from exc
    raise Http404(str(exc.message)) from exc


def _is_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _case(user, pk: int, action: str = access.VIEW) -> Case:
    """The case if ``user`` may ``action`` it; 404 outside their scope, 403 when they may
    see it but not do this."""
    base = Case.objects.select_related(
        "organization__region", "township", "inspection", "opened_by"
    )
    case = base.restrict(user, action).filter(pk=pk).first()
    if case is not None:
        return case
    if action != access.VIEW and Case.objects.restrict(user, access.VIEW).filter(pk=pk).exists():
        raise PermissionDenied
    raise Http404


def _today():
    return timezone.localdate()


# ---------------------------------------------------------------- list


def _cases(user, action: str = access.VIEW):
    """Cases with what a list row shows, in a constant number of queries."""
    return (
        Case.objects.restrict(user, action)
        .select_related("organization__region")
        .annotate(
            next_due=Min("reviews__due_on", filter=Q(reviews__state=ReviewState.PENDING)),
        )
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.only("id", "case_id", "kind", "lifted_at", "deadline"),
            )
        )
        .order_by("-opened_on", "-id")
    )


def _measure_labels(case: Case) -> list[dict[str, Any]]:
    labels = dict(MeasureKind.choices)
    seen: dict[str, dict[str, Any]] = {}
    for m in case.measures.all():
        row = seen.setdefault(m.kind, {"kind": m.kind, "label": labels.get(m.kind, m.kind)})
        in_force = m.lifted_at is None and case.state != CaseState.CLOSED
        row["active"] = row.get("active", False) or in_force
    return list(seen.values())


class CaseListView(RestrictedViewMixin, ListView):
    """The cases in the user's scope, filtered; an htmx request gets the results only."""

    model = Case
    resource = RESOURCE
    template_name = "enforcement/list.html"
    fragment_template = "enforcement/_list_results.html"
    paginate_by = 50

    def get_queryset(self):
        base = _cases(self.request.user)
        self.filterset = CaseFilterSet(self.request.GET, queryset=base, request=self.request)
        return self.filterset.qs

    def get_template_names(self):
        return [self.fragment_template if _is_fragment(self.request) else self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        get = self.request.GET
        today = _today()
        for case in ctx["object_list"]:
            case.measure_labels = _measure_labels(case)
            case.review_overdue = case.next_due is not None and case.next_due < today
        active = {
            name: values
            for name in self.filterset.filters
            if (values := [v for v in get.getlist(name) if v.strip()])
        }
        ctx.update(
            fragment=_is_fragment(self.request),
            filter=self.filterset,
            active_filters=active,
            selected={name: get.get(name, "") for name in self.filterset.filters},
            can_add=access.can(user, RESOURCE, access.ADD),
            can_export=access.can(user, RESOURCE, access.EXPORT),
            today=today,
        )
        if not ctx["fragment"]:
            fields = self.filterset.form.fields
            scope = Case.objects.restrict(user, access.VIEW)
            counts = scope.aggregate(
                active=Count("pk", filter=~Q(state=CaseState.CLOSED)),
                escalated=Count("pk", filter=Q(state=CaseState.ESCALATED)),
            )
            counts["overdue"] = (
                Review.objects.restrict(user, access.VIEW)
                .overdue(today)
                .values("case_id")
                .distinct()
                .count()
            )
            ctx.update(
                counts=counts,
                state_choices=fields["state"].choices[1:],
                ground_choices=Ground.choices,
                measure_choices=MeasureKind.choices,
                organization_choices=list(fields["organization"].queryset[:501]),
                village_choices=list(fields["village"].queryset),
                query=get.urlencode(),
            )
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ("HX-Request",))
        return response


class LedgerXlsxView(RestrictedViewMixin, View):
    """执法台账: the filtered cases as xlsx (what the user may export), audited."""

    model = Case
    resource = RESOURCE
    permission_action = access.EXPORT

    def get(self, request):
        from openpyxl import Workbook

        from anpai.audit.log import append
        from anpai.audit.models import AuditAction
        from anpai.core.xlsx import XLSX_TYPE, header_cell, safe

        filterset = CaseFilterSet(
            request.GET, queryset=_cases(request.user, access.EXPORT), request=request
        )
        cases = filterset.qs.prefetch_related(
            Prefetch(
                "documents",
                queryset=Document.objects.only("id", "case_id", "number", "cancelled_at"),
            )
        )
        wb = Workbook(write_only=True)
        sheet = wb.create_sheet("执法台账")
        sheet.append([header_cell(sheet, "执法台账")])
        heads = [
            "序号",
            "案件编号",
            "立案日期",
            "单位名称",
            "所在村",
            "案由",
            "违法事实",
            "执法措施",
            "执法文书",
            "下次复查",
            "状态",
            "结案日期",
        ]
        sheet.append([header_cell(sheet, h) for h in heads])
        ground_labels = dict(Ground.choices)
        measure_labels = dict(MeasureKind.choices)
        state_labels = dict(CaseState.choices)
        n = 0
        from django.utils.translation import override

        with override("zh-hans"):
            for n, case in enumerate(cases, start=1):
                row = [
                    n,
                    case.number,
                    case.opened_on,
                    case.organization.name,
                    case.organization.region.name if case.organization.region else "",
                    "、".join(str(ground_labels.get(g, g)) for g in case.grounds),
                    case.facts,
                    "、".join(
                        dict.fromkeys(
                            str(measure_labels.get(m.kind, m.kind)) for m in case.measures.all()
                        )
                    ),
                    "、".join(
                        d.number + ("（已撤销）" if d.cancelled_at else "")
                        for d in case.documents.all()
                    ),
                    case.next_due,
                    str(state_labels.get(case.state, case.state)),
                    timezone.localdate(case.closed_at) if case.closed_at else None,
                ]
                sheet.append([safe(sheet, v) for v in row])
        out = io.BytesIO()
        wb.save(out)
        out.seek(0)
        append(
            AuditAction.EXPORT,
            object_type=RESOURCE,
            object_repr=f"执法台账（{n}条）",
            after={"filters": dict(request.GET.lists()), "rows": n, "format": "xlsx"},
        )
        name = f"执法台账-{_today():%Y%m%d}.xlsx"
        return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX_TYPE)


# ---------------------------------------------------------------- open and edit


def _from_inspection(user, raw: str):
    """The inspection named by ``?inspection=`` if the user may see it, with its findings."""
    from anpai.hazards.models import Hazard
    from anpai.inspections.choices import AnswerResult
    from anpai.inspections.models import Inspection

    if not raw.isdigit():
        return None, {}
    insp = (
        Inspection.objects.restrict(user, access.VIEW)
        .select_related("organization")
        .filter(pk=raw)
        .first()
    )
    if insp is None:
        raise Http404
    answers = (
        insp.answers.filter(result=AnswerResult.FAIL)
        .select_related("item")
        .order_by("item__order", "id")
    )
    lines = []
    for answer in answers:
        text = answer.hazard_title or answer.item.question
        if answer.note:
            text = f"{text}（{answer.note}）"
        lines.append(text)
    facts = _("At the inspection on %(date)s it was found:") % {"date": insp.date.isoformat()}
    facts += "\n" + "\n".join(f"{i}. {line}" for i, line in enumerate(lines, start=1))
    hazards = list(
        Hazard.objects.restrict(user, access.VIEW)
        .filter(answers__inspection=insp)
        .values_list("pk", flat=True)
        .distinct()
    )
    initial = {
        "inspection": insp.pk,
        "title": _("Problems found at the inspection of %(date)s")
        % {"date": insp.date.isoformat()},
        "facts": facts if lines else "",
        "hazards": hazards,
    }
    return insp, initial


def _hazard(user, raw: str):
    """The hazard named by ``?hazard=`` if the user may see it (404 otherwise)."""
    if not raw.isdigit():
        return None
    from anpai.hazards.models import Hazard

    hazard = Hazard.objects.restrict(user, access.VIEW).filter(pk=raw).first()
    if hazard is None:
        raise Http404
    return hazard


class CaseCreateView(RestrictedViewMixin, View):
    """Open a case; ``?inspection=<pk>``, ``?hazard=<pk>`` or ``?organization=<pk>`` fill
    it in."""

    model = Case
    resource = RESOURCE
    permission_action = access.ADD
    template_name = "enforcement/case_form.html"

    def _org(self, request, raw: str) -> Organization | None:
        if not raw.isdigit():
            return None
        org = case_organizations(request.user).filter(pk=raw).first()
        if org is None:
            raise Http404
        return org

    def get(self, request):
        insp, initial = _from_inspection(request.user, request.GET.get("inspection", "").strip())
        org = self._org(request, request.GET.get("organization", "").strip())
        if insp is not None:
            org = self._org(request, str(insp.organization_id))
        hazard = _hazard(request.user, request.GET.get("hazard", "").strip())
        if hazard is not None and insp is None:
            org = self._org(request, str(hazard.organization_id))
            initial.update(title=hazard.title, facts=hazard.description, hazards=[hazard.pk])
        if org is not None:
            initial["organization"] = org.pk
        form = CaseForm(user=request.user, organization=org, initial=initial)
        return render(request, self.template_name, self._ctx(form, insp))

    def _ctx(self, form, insp=None):
        return {"form": form, "case": None, "inspection": insp}

    def post(self, request):
        form = CaseForm(request.POST, user=request.user)
        insp = None
        if form.is_valid():
            try:
                case = actions.open_case(
                    by=request.user,
                    organization=form.cleaned_data["organization"],
                    opened_on=form.cleaned_data.get("opened_on") or None,
                    **form.values(),
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return redirect("enforcement:detail", pk=case.pk)
        raw = str(request.POST.get("inspection") or "")
        if raw.isdigit():
            insp, _initial = _from_inspection(request.user, raw)
        return render(request, self.template_name, self._ctx(form, insp), status=400)


class CaseEditView(RestrictedViewMixin, View):
    model = Case
    resource = RESOURCE
    template_name = "enforcement/case_form.html"

    def get(self, request, pk: int):
        case = _case(request.user, pk, access.CHANGE)
        if case.state not in OPEN_STATES:
            return _closed(request, case)
        form = CaseForm(
            user=request.user,
            case=case,
            initial={
                "title": case.title,
                "facts": case.facts,
                "grounds": case.grounds,
                "inspection": case.inspection_id,
                "hazards": list(case.hazards.values_list("pk", flat=True)),
                "is_joint": case.is_joint,
                "is_unannounced": case.is_unannounced,
                "version": case.version,
            },
        )
        return render(request, self.template_name, {"form": form, "case": case})

    def post(self, request, pk: int):
        case = _case(request.user, pk, access.CHANGE)
        form = CaseForm(request.POST, user=request.user, case=case)
        if form.is_valid():
            try:
                actions.update_case(
                    case, by=request.user, version=form.cleaned_data.get("version"), **form.values()
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except Conflict as exc:
                messages.error(request, str(exc.message))
                return redirect("enforcement:detail", pk=case.pk)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(request, _("Case saved."))
                return redirect("enforcement:detail", pk=case.pk)
        return render(request, self.template_name, {"form": form, "case": case}, status=400)


def _closed(request, case: Case):
    messages.error(
        request,
        _("Not possible while the case is “%(state)s”.") % {"state": case.get_state_display()},
    )
    return redirect("enforcement:detail", pk=case.pk)


# ---------------------------------------------------------------- detail


def _permissions(user, case: Case) -> dict[str, bool]:
    on = access.roles_on_orgs(user, RESOURCE, [actions.CANCEL], [case.organization_id]).get(
        case.organization_id, {}
    )
    return {"can_cancel": case.is_open and bool(on.get(actions.CANCEL))}


class CaseDetailView(RestrictedViewMixin, View):
    """One case: organisation and status, facts, grounds, links, measures, documents,
    reviews, history and the steps the user may take."""

    model = Case
    resource = RESOURCE

    def get(self, request, pk: int):
        user = request.user
        case = _case(user, pk)
        today = _today()
        reviews = list(
            case.reviews.select_related("measure__document", "document", "reviewer").order_by(
                "due_on", "id"
            )
        )
        case._prefetched_objects_cache = {"reviews": reviews}  # available_actions reads them
        for r in reviews:
            r.overdue = r.is_overdue(today)
        from anpai.hazards.models import Hazard

        hazards = list(
            case.hazards.filter(pk__in=Hazard.objects.restrict(user, access.VIEW).values("pk"))
        )
        step_labels = dict(STEP_LABELS)
        available = actions.available_actions(case, user)
        ctx = {
            "case": case,
            "org": case.organization,
            "hazards": hazards,
            "measures": list(case.measures.select_related("document").order_by("taken_on", "id")),
            "documents": list(
                case.documents.select_related("issued_by").order_by("issued_on", "id")
            ),
            "reviews": reviews,
            "events": list(case.events.select_related("actor").order_by("at", "id")),
            "steps": [(name, step_labels[name]) for name in available if name in step_labels],
            "primary_steps": [n for n in available if n in ("order", "review", "close")],
            "accountability": list(
                AccountabilityRecord.objects.restrict(user, access.VIEW).filter(cases=case)[:20]
            ),
            "today": today,
            **_permissions(user, case),
        }
        return render(request, "enforcement/detail.html", ctx)


# ---------------------------------------------------------------- steps


STEP_LABELS = [
    ("order", gettext_lazy("Order rectification")),
    ("review", gettext_lazy("Record review")),
    ("record", gettext_lazy("On-site inspection record")),
    ("suspend", gettext_lazy("Suspend production")),
    ("close_down", gettext_lazy("Close down")),
    ("fine", gettext_lazy("Record a fine")),
    ("refer", gettext_lazy("Refer")),
    ("edit", gettext_lazy("Edit case")),
    ("close", gettext_lazy("Close case")),
]


def _lines(items: list[str]) -> str:
    return "\n".join(f"{i}. {line}" for i, line in enumerate(items, start=1))


class StepView(RestrictedViewMixin, View):
    """One step of a case on its own page: a form, its defaults, and the action it calls."""

    model = Case
    resource = RESOURCE
    template_name = "enforcement/step.html"
    step = ""

    STEPS: dict[str, dict[str, Any]] = {
        "record": {"form": RecordForm, "policy": actions.ISSUE},
        "order": {"form": OrderForm, "policy": actions.ISSUE},
        "suspend": {"form": SuspendForm, "policy": actions.ISSUE},
        "close_down": {"form": CloseDownForm, "policy": actions.ISSUE},
        "fine": {"form": FineForm, "policy": actions.ISSUE},
        "refer": {"form": ReferForm, "policy": actions.ISSUE},
        "review": {"form": ReviewForm, "policy": actions.REVIEW},
        "close": {"form": CloseForm, "policy": actions.CLOSE},
    }

    def _pending(self, case: Case) -> list[Review]:
        return list(
            case.reviews.filter(state=ReviewState.PENDING)
            .select_related("measure__document")
            .order_by("due_on", "id")
        )

    def _form(self, case: Case, data=None):
        cls = self.STEPS[self.step]["form"]
        kwargs: dict[str, Any] = {}
        if self.step == "review":
            kwargs["reviews"] = self._pending(case)
        if data is not None:
            return cls(data, **kwargs)
        return cls(initial=self._initial(case), **kwargs)

    def _initial(self, case: Case) -> dict[str, Any]:
        cfg = actions.config(case.township)
        today = _today()
        initial: dict[str, Any] = {"version": case.version}
        kind = {"order": "order", "suspend": "suspension", "close_down": "closure"}.get(self.step)
        if kind:
            initial["items"] = _lines(actions.findings(case))
            initial["requirement"] = cfg["kinds"][kind].get("requirement", "")
            initial["issued_on"] = today.isoformat()
        if self.step == "record":
            insp = case.inspection
            initial.update(
                place=case.organization.address,
                inspected_on=(insp.date if insp else today).isoformat(),
                inspectors=actions.inspector_names(insp) if insp else "",
                present=(insp.signer_name if insp else "") or case.organization.principal_name,
                items=_lines(actions.findings(case)),
                issued_on=today.isoformat(),
            )
        if self.step == "review":
            initial["reviewed_on"] = today.isoformat()
            chosen = self.request.GET.get("review", "")
            if chosen.isdigit():
                initial["review"] = int(chosen)
        if self.step in ("fine", "refer"):
            initial["taken_on"] = today.isoformat()
        return initial

    def _ctx(self, case: Case, form) -> dict[str, Any]:
        cfg = actions.config(case.township)
        kind = {
            "order": "order",
            "suspend": "suspension",
            "close_down": "closure",
            "record": "record",
            "review": "review",
        }.get(self.step)
        sample = ""
        if kind:
            from anpai.enforcement.models import DocumentCounter

            year = _today().year
            last = (
                DocumentCounter.objects.filter(region=case.township, kind=kind, year=year)
                .values_list("last", flat=True)
                .first()
                or 0
            )
            sample = actions.format_number(cfg, cfg["kinds"][kind].get("abbr", ""), year, last + 1)
        return {
            "case": case,
            "org": case.organization,
            "form": form,
            "step": self.step,
            "step_label": dict(STEP_LABELS)[self.step],
            "document_title": cfg["kinds"][kind]["title"] if kind else "",
            "next_number": sample,
            "review_days": cfg["review_days"],
        }

    def get(self, request, pk: int):
        case = _case(request.user, pk, self.STEPS[self.step]["policy"])
        if case.state not in OPEN_STATES:
            return _closed(request, case)
        if self.step == "review" and not self._pending(case):
            messages.info(request, _("No review is due in this case."))
            return redirect("enforcement:detail", pk=case.pk)
        return render(request, self.template_name, self._ctx(case, self._form(case)))

    def post(self, request, pk: int):
        case = _case(request.user, pk, self.STEPS[self.step]["policy"])
        form = self._form(case, request.POST)
        if form.is_valid():
            try:
                message = self.perform(case, request.user, form.cleaned_data)
            except Invalid as exc:
                form.add_action_errors(exc)
            except Conflict as exc:
                messages.error(request, str(exc.message))
                return redirect("enforcement:detail", pk=case.pk)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(request, message)
                return redirect("enforcement:detail", pk=case.pk)
        return render(request, self.template_name, self._ctx(case, form), status=400)

    def perform(self, case: Case, by, data: dict[str, Any]) -> str:
        version = data.get("version")
        step = self.step
        if step in ("order", "suspend"):
            issue = actions.issue_order if step == "order" else actions.issue_suspension
            doc = issue(
                case,
                by=by,
                deadline=data["deadline"],
                items=data["items"],
                requirement=data["requirement"],
                issued_on=data["issued_on"] or None,
                version=version,
            )
            review = Review.objects.filter(measure__document=doc).first()
            if review is not None:
                return _("%(title)s %(number)s issued; review due %(due)s.") % {
                    "title": doc.title,
                    "number": doc.number,
                    "due": review.due_on.isoformat(),
                }
            return _("%(title)s %(number)s issued.") % {"title": doc.title, "number": doc.number}
        if step == "close_down":
            doc = actions.issue_closure(
                case,
                by=by,
                items=data["items"],
                requirement=data["requirement"],
                issued_on=data["issued_on"] or None,
                version=version,
            )
            return _("%(title)s %(number)s issued.") % {"title": doc.title, "number": doc.number}
        if step == "record":
            doc = actions.issue_record(
                case,
                by=by,
                place=data["place"],
                inspected_on=data["inspected_on"] or None,
                inspectors=data["inspectors"],
                items=data["items"],
                present=data["present"],
                issued_on=data["issued_on"] or None,
                version=version,
            )
            return _("%(title)s %(number)s issued.") % {"title": doc.title, "number": doc.number}
        if step == "fine":
            actions.record_fine(
                case,
                by=by,
                amount=data["amount"],
                decision_number=data["decision_number"],
                taken_on=data["taken_on"] or None,
                note=data["note"],
                version=version,
            )
            return _("Fine recorded.")
        if step == "refer":
            actions.refer(
                case,
                by=by,
                referral_to=data["referral_to"],
                body=data["body"],
                taken_on=data["taken_on"] or None,
                note=data["note"],
                version=version,
            )
            return _("Referral recorded.")
        if step == "review":
            doc = actions.record_review(
                data["review"],
                by=by,
                passed=data["result"] == "passed",
                findings=data["findings"],
                reviewed_on=data["reviewed_on"] or None,
            )
            case.refresh_from_db(fields=["state"])
            if case.state == CaseState.CLOSED:
                return _("%(title)s %(number)s issued; the case is closed.") % {
                    "title": doc.title,
                    "number": doc.number,
                }
            return _("%(title)s %(number)s issued.") % {"title": doc.title, "number": doc.number}
        if step == "close":
            actions.close_case(case, by=by, conclusion=data["conclusion"], version=version)
            return _("Case closed.")
        raise Http404  # pragma: no cover


class CancelDocumentView(RestrictedViewMixin, View):
    """Cancel a document: it keeps its number, with the reason."""

    model = Document
    resource = RESOURCE
    template_name = "enforcement/cancel.html"

    def _document(self, request, pk: int) -> Document:
        document = (
            Document.objects.restrict(request.user, access.VIEW)
            .select_related("case__organization")
            .filter(pk=pk)
            .first()
        )
        if document is None:
            raise Http404
        if not Document.objects.restrict(request.user, actions.CANCEL).filter(pk=pk).exists():
            raise PermissionDenied
        return document

    def get(self, request, pk: int):
        document = self._document(request, pk)
        if document.is_cancelled:
            messages.info(request, _("This document is already cancelled."))
            return redirect("enforcement:detail", pk=document.case_id)
        return render(request, self.template_name, {"document": document, "form": CancelForm()})

    def post(self, request, pk: int):
        document = self._document(request, pk)
        form = CancelForm(request.POST)
        if form.is_valid():
            try:
                actions.cancel_document(
                    document, by=request.user, reason=form.cleaned_data["reason"]
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except Conflict as exc:
                messages.error(request, str(exc.message))
                return redirect("enforcement:detail", pk=document.case_id)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(
                    request,
                    _("Document %(number)s cancelled; it keeps its number.")
                    % {"number": document.number},
                )
                return redirect("enforcement:detail", pk=document.case_id)
        ctx = {"document": document, "form": form}
        return render(request, self.template_name, ctx, status=400)


# ---------------------------------------------------------------- reviews and documents


class ReviewsView(RestrictedViewMixin, View):
    """The reviews due in scope, overdue first (the township's overdue list)."""

    model = Case
    resource = RESOURCE

    def get(self, request):
        user = request.user
        today = _today()
        reviews = list(
            Review.objects.restrict(user, access.VIEW)
            .due()
            .filter(case__state__in=OPEN_STATES)
            .select_related("case__organization", "measure__document")
            .order_by("due_on", "id")[:500]
        )
        review_orgs = {
            org_id
            for org_id, allowed in access.roles_on_orgs(
                user, RESOURCE, [actions.REVIEW], list({r.case.organization_id for r in reviews})
            ).items()
            if allowed.get(actions.REVIEW)
        }
        for r in reviews:
            r.overdue = r.due_on < today
            r.days = (today - r.due_on).days
            r.can_review = r.case.organization_id in review_orgs
        ctx = {
            "reviews": reviews,
            "n_overdue": sum(1 for r in reviews if r.overdue),
            "today": today,
        }
        return render(request, "enforcement/reviews.html", ctx)


class DocumentsView(RestrictedViewMixin, ListView):
    model = Document
    resource = RESOURCE
    template_name = "enforcement/documents.html"
    paginate_by = 100

    def get_queryset(self):
        base = (
            Document.objects.restrict(self.request.user, access.VIEW)
            .select_related("case__organization")
            .order_by("-issued_on", "-id")
        )
        self.filterset = DocumentFilterSet(self.request.GET, queryset=base, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        years = list(
            Document.objects.restrict(self.request.user, access.VIEW)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        ctx.update(
            filter=self.filterset,
            kind_choices=DocumentKind.choices,
            years=years,
            selected={n: self.request.GET.get(n, "") for n in self.filterset.filters},
        )
        return ctx


class DocumentFileView(RestrictedViewMixin, View):
    """The document as PDF or Word, named by its number, to those who may see its case."""

    model = Document
    resource = RESOURCE
    fmt = "pdf"

    TYPES = {
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    }

    def get(self, request, pk: int):
        document = (
            Document.objects.restrict(request.user, access.VIEW)
            .select_related("case")
            .filter(pk=pk)
            .first()
        )
        if document is None:
            raise Http404
        build = render_docs.pdf if self.fmt == "pdf" else render_docs.docx
        data = build(document)
        response = HttpResponse(data, content_type=self.TYPES[self.fmt])
        name = f"{document.number}.{self.fmt}"
        disposition = "inline" if self.fmt == "pdf" else "attachment"
        response["Content-Disposition"] = (
            f'{disposition}; filename="document-{document.pk}.{self.fmt}"; '
            f"filename*=UTF-8''{quote(name)}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# ---------------------------------------------------------------- accountability


class AccountabilityListView(RestrictedViewMixin, ListView):
    model = AccountabilityRecord
    resource = RECORD_RESOURCE
    template_name = "enforcement/accountability_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = (
            AccountabilityRecord.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization")
            .annotate(n_files=Count("files", distinct=True))
            .order_by("-date", "-id")
        )
        kind = self.request.GET.get("kind", "")
        if kind in AccountabilityKind.values:
            qs = qs.filter(kind=kind)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            kind_choices=AccountabilityKind.choices,
            selected_kind=self.request.GET.get("kind", ""),
            can_add=access.can(self.request.user, RECORD_RESOURCE, access.ADD),
        )
        return ctx


class AccountabilityCreateView(RestrictedViewMixin, View):
    """Record accountability; ``?organization=``, ``?hazard=``, ``?case=`` fill it in."""

    model = AccountabilityRecord
    resource = RECORD_RESOURCE
    permission_action = access.ADD
    template_name = "enforcement/accountability_form.html"

    def get(self, request):
        user = request.user
        get = request.GET
        initial: dict[str, Any] = {"date": _today().isoformat()}
        org = None
        raw = get.get("organization", "").strip()
        if raw.isdigit():
            org = record_organizations(user).filter(pk=raw).first()
            if org is None:
                raise Http404
            initial["organization"] = org.pk
        for name in ("hazard", "case"):
            value = get.get(name, "").strip()
            if value.isdigit():
                initial[f"{name}s"] = [int(value)]
        reason = get.get("reason", "").strip()
        if reason:
            initial["reason"] = reason[:500]
        kind = get.get("kind", "")
        if kind in AccountabilityKind.values:
            initial["kind"] = kind
        form = AccountabilityForm(user=user, organization=org, initial=initial)
        return render(request, self.template_name, {"form": form, "file_form": FileForm()})

    def post(self, request):
        user = request.user
        form = AccountabilityForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                record = actions.record_accountability(
                    by=user,
                    organization=data["organization"],
                    kind=data["kind"],
                    reason=data["reason"],
                    date=data["date"] or None,
                    person_name=data["person_name"],
                    person_title=data["person_title"],
                    referral_to=data["referral_to"],
                    outcome=data["outcome"],
                    hazards=data["hazards"],
                    cases=data["cases"],
                    files=request.FILES.getlist("files"),
                )
            except Invalid as exc:
                form.add_action_errors(exc)
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(request, _("Accountability recorded."))
                return redirect("enforcement:accountability_detail", pk=record.pk)
        ctx = {"form": form, "file_form": FileForm()}
        return render(request, self.template_name, ctx, status=400)


class AccountabilityDetailView(RestrictedViewMixin, View):
    model = AccountabilityRecord
    resource = RECORD_RESOURCE

    def _record(self, request, pk: int) -> AccountabilityRecord:
        record = (
            AccountabilityRecord.objects.restrict(request.user, access.VIEW)
            .select_related("organization", "created_by")
            .filter(pk=pk)
            .first()
        )
        if record is None:
            raise Http404
        return record

    def _ctx(self, request, record, file_form=None):
        from anpai.hazards.models import Hazard

        user = request.user
        return {
            "record": record,
            "files": list(record.files.all()),
            "hazards": list(
                record.hazards.filter(
                    pk__in=Hazard.objects.restrict(user, access.VIEW).values("pk")
                )
            ),
            "cases": list(
                record.cases.filter(pk__in=Case.objects.restrict(user, access.VIEW).values("pk"))
            ),
            "can_attach": AccountabilityRecord.objects.restrict(user, access.CHANGE)
            .filter(pk=record.pk)
            .exists(),
            "file_form": file_form or FileForm(),
        }

    def get(self, request, pk: int):
        record = self._record(request, pk)
        return render(request, "enforcement/accountability_detail.html", self._ctx(request, record))

    def post(self, request, pk: int):
        """Attach a document (image or PDF, content-checked by the action)."""
        record = self._record(request, pk)
        form = FileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                actions.attach_to_record(record, by=request.user, upload=form.cleaned_data["file"])
            except Invalid as exc:
                for messages_ in exc.fields.values() or [[exc.message]]:
                    for m in messages_:
                        form.add_error("file", str(m))
                if not exc.fields:
                    form.add_error("file", str(exc.message))
            except (Forbidden, NotFound) as exc:
                _action_error(exc)
            else:
                messages.success(request, _("Document attached."))
                return redirect("enforcement:accountability_detail", pk=record.pk)
        elif (
            not AccountabilityRecord.objects.restrict(request.user, access.CHANGE)
            .filter(pk=record.pk)
            .exists()
        ):
            raise PermissionDenied
        return render(
            request,
            "enforcement/accountability_detail.html",
            self._ctx(request, record, form),
            status=400,
        )


class AccountabilityFileView(RestrictedViewMixin, View):
    """An attached file, only to those who may see the record (never through MEDIA_URL)."""

    model = AccountabilityFile
    resource = RECORD_RESOURCE

    def get(self, request, pk: int):
        item = AccountabilityFile.objects.restrict(request.user, access.VIEW).filter(pk=pk).first()
        if item is None:
            raise Http404
        try:
            handle = item.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        response = FileResponse(
            handle,
            content_type=item.content_type,
            as_attachment=item.content_type == "application/pdf",
            filename=item.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response


class SuggestionsView(RestrictedViewMixin, View):
    """What may call for accountability: a list for people to act on, never automatic.

    For those who decide on accountability (who may record it), not for the parties."""

    model = AccountabilityRecord
    resource = RECORD_RESOURCE
    permission_action = access.ADD

    def get(self, request):
        items = actions.suggestions(request.user)
        orgs = list({i["organization"].pk for i in items})
        allowed = access.roles_on_orgs(request.user, RECORD_RESOURCE, [access.ADD], orgs)
        for item in items:
            item["can_record"] = bool(allowed.get(item["organization"].pk, {}).get(access.ADD))
            params = {"organization": item["organization"].pk, "reason": str(item["label"])}
            if item["hazard"] is not None:
                params["hazard"] = item["hazard"].pk
                params["kind"] = AccountabilityKind.INTERVIEW
            if item["case"] is not None:
                params["case"] = item["case"].pk
                params["kind"] = AccountabilityKind.NOTICE
            from urllib.parse import urlencode

            item["record_url"] = (
                reverse("enforcement:accountability_create") + "?" + urlencode(params)
            )
        return render(request, "enforcement/suggestions.html", {"items": items})


# ---------------------------------------------------------------- settings


def _township_for(user):
    """The township whose settings the user edits (or reads)."""
    from anpai.risks.actions import township_of

    first = None
    for membership in access.memberships(user):
        township = township_of(membership.organization.region)
        if township is None:
            continue
        first = first or township
        if access.allows_region(user, SETTINGS_RESOURCE, access.CHANGE, township):
            return township
    return first


class SettingsView(RestrictedViewMixin, View):
    """A township's document settings: prefix, authority, review days, texts per kind,
    with the number the next order would get."""

    model = DocumentSettings
    resource = SETTINGS_RESOURCE
    template_name = "enforcement/settings.html"

    def _ctx(self, township, form, kinds_data=None, errors=None):
        cfg = actions.config(township)
        shipped = actions.shipped()["kinds"]
        year = _today().year
        kinds = []
        for kind, label in DocumentKind.choices:
            texts = dict(cfg["kinds"][kind])
            if kinds_data is not None:
                texts.update(kinds_data.get(kind, {}))
            kinds.append(
                {
                    "kind": kind,
                    "label": label,
                    "texts": texts,
                    "verified": bool(shipped.get(kind, {}).get("verified", False)),
                    "sample": actions.format_number(cfg, texts.get("abbr", ""), year, 1),
                    "errors": (errors or {}).get(f"kinds.{kind}.abbr", []),
                }
            )
        return {
            "township": township,
            "form": form,
            "kinds": kinds,
            "year": year,
            "number_format": cfg["number_format"],
            "editable": access.allows_region(
                self.request.user, SETTINGS_RESOURCE, access.CHANGE, township
            ),
        }

    def _initial(self, township):
        cfg = actions.config(township)
        return {k: cfg[k] for k in ("prefix", "authority", "contact", "address", "review_days")}

    def get(self, request):
        township = _township_for(request.user)
        if township is None:
            raise Http404
        form = SettingsForm(initial=self._initial(township))
        return render(request, self.template_name, self._ctx(township, form))

    def post(self, request):
        township = _township_for(request.user)
        if township is None:
            raise Http404
        form = SettingsForm(request.POST)
        form.is_valid()
        kinds = form.kinds()
        try:
            actions.save_settings(
                by=request.user,
                region=township,
                prefix=form.cleaned_data.get("prefix"),
                authority=form.cleaned_data.get("authority"),
                contact=form.cleaned_data.get("contact"),
                address=form.cleaned_data.get("address"),
                review_days=form.cleaned_data.get("review_days"),
                kinds=_overrides(kinds),
            )
        except Invalid as exc:
            form.add_action_errors(exc)
            ctx = self._ctx(township, form, kinds, exc.fields)
            return render(request, self.template_name, ctx, status=400)
        except (Forbidden, NotFound) as exc:
            _action_error(exc)
        messages.success(request, _("Document settings saved; new numbers use them."))
        return redirect("enforcement:settings")


def _overrides(kinds: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Only what differs from the shipped texts is the township's own."""
    shipped = actions.shipped()["kinds"]
    return {
        kind: {k: v for k, v in texts.items() if v and v != shipped.get(kind, {}).get(k)}
        for kind, texts in kinds.items()
    }


# ---------------------------------------------------------------- fragments for other pages


class OrgCasesView(RestrictedViewMixin, View):
    """htmx fragment on the organisation page: its cases and an "open a case" button."""

    model = Case
    resource = RESOURCE

    def get(self, request, org: int):
        user = request.user
        if not access.can(user, RESOURCE, access.VIEW):
            return HttpResponse("")
        cases = list(_cases(user).filter(organization_id=org)[:20])
        today = _today()
        for case in cases:
            case.measure_labels = _measure_labels(case)
            case.review_overdue = case.next_due is not None and case.next_due < today
        can_add = case_organizations(user).filter(pk=org).exists()
        return render(
            request,
            "enforcement/_org_cases.html",
            {"cases": cases, "org_id": org, "can_add": can_add},
        )


class OpenButtonView(RestrictedViewMixin, View):
    """htmx fragment: the "open a case" button, for those who may open one here."""

    model = Case
    resource = RESOURCE

    def get(self, request):
        user = request.user
        get = request.GET
        org = get.get("organization", "").strip()
        insp = get.get("inspection", "").strip()
        if insp.isdigit():
            from anpai.inspections.models import Inspection

            org = str(
                Inspection.objects.restrict(user, access.VIEW)
                .filter(pk=insp)
                .values_list("organization_id", flat=True)
                .first()
                or ""
            )
        hazard = get.get("hazard", "").strip()
        if hazard.isdigit():
            from anpai.hazards.models import Hazard

            org = str(
                Hazard.objects.restrict(user, access.VIEW)
                .filter(pk=hazard)
                .values_list("organization_id", flat=True)
                .first()
                or ""
            )
        if not org.isdigit() or not case_organizations(user).filter(pk=org).exists():
            return HttpResponse("")
        if insp.isdigit():
            query = f"inspection={insp}"
        elif hazard.isdigit():
            query = f"hazard={hazard}"
        else:
            query = f"organization={org}"
        return render(request, "enforcement/_open_button.html", {"query": query})


urlpatterns = [
    path("", CaseListView.as_view(), name="list"),
    path("ledger.xlsx", LedgerXlsxView.as_view(), name="export"),
    path("new/", CaseCreateView.as_view(), name="create"),
    path("open-button/", OpenButtonView.as_view(), name="open_button"),
    path("organisation/<int:org>/", OrgCasesView.as_view(), name="org_cases"),
    path("<int:pk>/", CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", CaseEditView.as_view(), name="edit"),
    *[
        path(f"<int:pk>/{name.replace('_', '-')}/", StepView.as_view(step=name), name=name)
        for name in StepView.STEPS
    ],
    path("reviews/", ReviewsView.as_view(), name="reviews"),
    path("documents/", DocumentsView.as_view(), name="documents"),
    path("documents/<int:pk>.pdf", DocumentFileView.as_view(fmt="pdf"), name="document_pdf"),
    path("documents/<int:pk>.docx", DocumentFileView.as_view(fmt="docx"), name="document_docx"),
    path("documents/<int:pk>/cancel/", CancelDocumentView.as_view(), name="cancel_document"),
    path("accountability/", AccountabilityListView.as_view(), name="accountability"),
    path("accountability/new/", AccountabilityCreateView.as_view(), name="accountability_create"),
    path(
        "accountability/<int:pk>/",
        AccountabilityDetailView.as_view(),
        name="accountability_detail",
    ),
    path(
        "accountability/files/<int:pk>/",
        AccountabilityFileView.as_view(),
        name="accountability_file",
    ),
    path("accountability/suggestions/", SuggestionsView.as_view(), name="suggestions"),
    path("settings/", SettingsView.as_view(), name="settings"),
]
