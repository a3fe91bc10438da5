"""Inspection pages: the list, starting one, the phone-first form (each answer saved
as it is given, by htmx), the read-only record once submitted, its PDF, and the
photos and signature behind checked views.

Rows come only through ``Inspection.objects.restrict(user, action)``; every
step is a function of :mod:`anpai.inspections.actions`, which re-checks scope,
role and state. These views parse input, call it and map its errors to pages.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, ListView

from anpai.core import access
from anpai.core.errors import ActionError, Conflict, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.hazards.choices import HazardLevel
from anpai.inspections import actions
from anpai.inspections.choices import AnswerResult, InspectionKind, InspectionState
from anpai.inspections.forms import InspectionFilterSet, StartForm
from anpai.inspections.models import Answer, AnswerPhoto, DutyPeriod, Inspection, RoundAssignment

RESOURCE = actions.RESOURCE


def _is_htmx(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _raise_http(exc: ActionError) -> None:
    """404 and 403 as Django's own responses (the error pages)."""
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message)) from exc
    if isinstance(exc, Forbidden):
        raise PermissionDenied(str(exc.message)) from exc


def _visible(user, pk: int) -> Inspection:
    """The inspection if ``user`` may see it, else 404."""
    insp = (
        Inspection.objects.restrict(user, access.VIEW)
        .select_related("organization__region", "template", "lead")
        .filter(pk=pk)
        .first()
    )
    if insp is None:
        raise Http404
    return insp


# ---------------------------------------------------------------- list


class InspectionListView(RestrictedViewMixin, ListView):
    """The inspections in the user's scope, filtered by organisation, kind, state and dates."""

    model = Inspection
    resource = RESOURCE
    template_name = "inspections/inspection_list.html"
    paginate_by = 50

    def get_queryset(self):
        base = (
            Inspection.objects.restrict(self.request.user, access.VIEW)
            .select_related("organization", "template", "lead")
            .annotate(
                n_items=Count("answers", distinct=True),
                n_answered=Count("answers", filter=~Q(answers__result=""), distinct=True),
                n_fail=Count("answers", filter=Q(answers__result=AnswerResult.FAIL), distinct=True),
                n_hazards=Count("answers__hazard", distinct=True),
            )
            .order_by("-date", "-id")  # aggregation drops Meta.ordering
        )
        self.filterset = InspectionFilterSet(self.request.GET, queryset=base, request=self.request)
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        get = self.request.GET
        params = get.copy()
        params.pop("page", None)
        ctx.update(
            filter=self.filterset,
            query=params.urlencode(),
            can_add=bool(actions.kinds_for(self.request.user)),
            selected={name: get.get(name, "") for name in self.filterset.filters},
            kind_choices=InspectionKind.choices,
            state_choices=InspectionState.choices,
            organization_choices=list(
                self.filterset.form.fields["organization"]
                .queryset.only("id", "name")
                .order_by("name")[:501]
            ),
        )
        return ctx


# ---------------------------------------------------------------- start


class InspectionCreateView(RestrictedViewMixin, FormView):
    """Start an inspection: organisation in scope, kind, a current checklist and the date.

    ``?period=<id>`` (a due duty period) prefills a self-inspection at its
    cadence level; ``?assignment=<id>`` a planned government inspection.
    """

    model = Inspection
    resource = RESOURCE
    permission_action = access.ADD
    form_class = StartForm
    template_name = "inspections/inspection_new.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not actions.kinds_for(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def _period(self) -> DutyPeriod | None:
        raw = (self.request.GET.get("period") or self.request.POST.get("period") or "").strip()
        if not raw.isdigit():
            return None
        return (
            DutyPeriod.objects.restrict(self.request.user, access.VIEW)
            .select_related("duty")
            .filter(pk=int(raw))
            .first()
        )

    def _assignment(self) -> RoundAssignment | None:
        raw = (
            self.request.GET.get("assignment") or self.request.POST.get("assignment") or ""
        ).strip()
        if not raw.isdigit():
            return None
        from anpai.inspections.models import InspectionRound

        rounds = InspectionRound.objects.restrict(self.request.user, access.VIEW)
        return (
            RoundAssignment.objects.filter(pk=int(raw), round__in=rounds)
            .select_related("round__template")
            .first()
        )

    def get_initial(self):
        initial = super().get_initial()
        get = self.request.GET
        if (org := get.get("organization", "").strip()) and org.isdigit():
            initial["organization"] = int(org)
        if (kind := get.get("kind", "")) in InspectionKind.values:
            initial["kind"] = kind
        if template := get.get("template", "").strip():
            initial["template"] = template
        if (period := self._period()) is not None:
            initial.update(
                organization=period.duty.organization_id,
                kind=InspectionKind.SELF,
                cadence=period.duty.cadence,
                template=period.duty.template_code,
            )
        if (assignment := self._assignment()) is not None:
            initial.update(organization=assignment.organization_id, kind=assignment.round.kind)
            if assignment.round.template is not None:
                initial["template"] = assignment.round.template.code
        if "kind" not in initial and (kinds := actions.kinds_for(self.request.user)):
            initial["kind"] = kinds[0]
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(period=self._period(), assignment=self._assignment())
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            insp = actions.start(
                by=self.request.user,
                organization=data["organization"],
                kind=data["kind"],
                template=data["template"],
                date=data["date"],
                inspectors=list(data.get("inspectors") or []),
                departments=list(data.get("departments") or []),
                cadence=data.get("cadence") or "",
                period=self._period(),
                assignment=self._assignment(),
                summary=data.get("summary") or "",
            )
        except Invalid as exc:
            form.add_action_errors(exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        except (Forbidden, NotFound) as exc:
            _raise_http(exc)
            raise
        messages.success(self.request, _("Inspection started: answer each item as you go."))
        return redirect("inspections:detail", pk=insp.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# ---------------------------------------------------------------- the form / the record


def _answers(insp: Inspection) -> list[Answer]:
    """The answers in item order, each with its ``number`` on the form."""
    return actions.number(
        Answer.objects.filter(inspection=insp)
        .select_related("item__clause__standard", "item__category", "hazard", "merged_into__item")
        .prefetch_related(Prefetch("photos", queryset=AnswerPhoto.objects.order_by("id")))
        .order_by("item__order", "item_id")
    )


def _sections(answers: list[Answer]) -> list[tuple[str, list[Answer]]]:
    grouped: OrderedDict[str, list[Answer]] = OrderedDict()
    for a in answers:
        grouped.setdefault(a.item.section, []).append(a)
    return list(grouped.items())


def _findings(answers: list[Answer]) -> list[dict[str, Any]]:
    groups = actions.findings(answers)
    roots = [g[0] for g in groups]
    rows = []
    for group in groups:
        root = group[0]
        rows.append(
            {
                "root": root,
                "merged": group[1:],
                "level": actions.group_level(group),
                "locked_major": any(
                    actions.default_level(a.item) == HazardLevel.MAJOR for a in group
                ),
                "targets": [r for r in roots if r.pk != root.pk],
            }
        )
    return rows


def _outcome(findings: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(findings)
    major = sum(1 for f in findings if f["level"] == HazardLevel.MAJOR)
    if n == 0:
        text = _("No item failed: no hazard will be reported.")
    else:
        text = ngettext(
            "%(n)d hazard will be reported",
            "%(n)d hazards will be reported",
            n,
        ) % {"n": n}
        if major:
            text += _(", %(major)d major") % {"major": major}
        text += "."
    return {"n": n, "major": major, "text": text}


def form_context(insp: Inspection, user, **extra: Any) -> dict[str, Any]:
    """Everything the phone form (or the read-only record) shows."""
    answers = _answers(insp)
    findings = _findings(answers)
    answered = sum(1 for a in answers if a.result)
    total = len(answers)
    hazards = []
    seen = set()
    for a in answers:
        if a.hazard_id and a.hazard_id not in seen:
            seen.add(a.hazard_id)
            hazards.append(a.hazard)
    return {
        "object": insp,
        "insp": insp,
        "answers": answers,
        "sections": _sections(answers),
        "findings": findings,
        "outcome": _outcome(findings),
        "answered": answered,
        "total": total,
        "unanswered": total - answered,
        "hazards": hazards,
        "level_choices": HazardLevel.choices,
        "result_choices": AnswerResult.choices,
        "inspectors": list(insp.inspectors.all()),
        "departments": list(insp.departments.all()),
        "editable": insp.is_draft and _may_change(insp, user),
        **extra,
    }


def _may_change(insp: Inspection, user) -> bool:
    allowed = Inspection.objects.restrict(user, access.CHANGE).filter(pk=insp.pk).exists()
    return allowed and actions.may_edit(insp, user)


class InspectionDetailView(RestrictedViewMixin, View):
    """``/inspections/<pk>/``: the form while a draft (for its inspectors), else the record."""

    model = Inspection
    resource = RESOURCE

    def get(self, request, pk: int):
        insp = _visible(request.user, pk)
        ctx = form_context(insp, request.user)
        template = (
            "inspections/inspection_form.html"
            if ctx["editable"]
            else "inspections/inspection_detail.html"
        )
        return render(request, template, ctx)


def _fragment(request, insp: Inspection, templates: list[str], status: int = 200, **extra):
    """Several fragments in one answer: the first is swapped in, the others out of band."""
    ctx = form_context(insp, request.user, oob=False, **extra)
    if "item_pk" in extra:
        ctx["row"] = next((a for a in ctx["answers"] if a.item_id == extra["item_pk"]), None)
        if ctx["row"] is None:
            raise Http404
    parts = [render(request, templates[0], ctx).content.decode()]
    ctx["oob"] = True
    parts += [render(request, name, ctx).content.decode() for name in templates[1:]]
    return HttpResponse("".join(parts), status=status)


class _StepView(RestrictedViewMixin, View):
    """A POST to a draft inspection; 409 sends the browser to the (now read-only) record."""

    model = Inspection
    resource = RESOURCE

    def get(self, request, pk: int, **kwargs):
        return redirect("inspections:detail", pk=pk)

    def conflict(self, request, insp: Inspection, exc: Conflict):
        messages.error(request, str(exc.message))
        url = reverse("inspections:detail", args=[insp.pk])
        if _is_htmx(request):
            response = HttpResponse(status=409)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


class AnswerView(_StepView):
    """POST ``/inspections/<pk>/answer/<item_pk>/``: save one answer; the item comes back,
    with the progress bar, findings and submit summary swapped out of band."""

    FRAGMENTS = [
        "inspections/_answer.html",
        "inspections/_answer_progress.html",
        "inspections/_answer_findings.html",
        "inspections/_answer_summary.html",
    ]

    def post(self, request, pk: int, item_pk: int):
        insp = _visible(request.user, pk)
        post = request.POST
        errors: dict[str, list[str]] = {}
        try:
            actions.answer(
                insp,
                item_pk,
                by=request.user,
                result=post.get("result", ""),
                note=post.get("note"),
                photos=request.FILES.getlist("photos"),
                hazard_title=post.get("hazard_title"),
                hazard_level=post.get("hazard_level") or None,
            )
        except Invalid as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()} or {
                "result": [str(exc.message)]
            }
        except Conflict as exc:
            return self.conflict(request, insp, exc)
        except (Forbidden, NotFound) as exc:
            _raise_http(exc)
        if not _is_htmx(request):
            if errors:
                messages.error(request, " ".join(m for v in errors.values() for m in v))
            return redirect(reverse("inspections:detail", args=[pk]) + f"#item-{item_pk}")
        insp.refresh_from_db()
        return self._item(request, insp, item_pk, errors)

    def _item(self, request, insp, item_pk, errors):
        ctx_extra = {"item_pk": int(item_pk), "errors": errors}
        response = _fragment(
            request, insp, self.FRAGMENTS, status=400 if errors else 200, **ctx_extra
        )
        return response


class PhotoDeleteView(AnswerView):
    """POST ``/inspections/<pk>/photos/<photo_pk>/delete/``: a photo taken by mistake."""

    def post(self, request, pk: int, photo_pk: int):  # type: ignore[override]
        insp = _visible(request.user, pk)
        photo = AnswerPhoto.objects.filter(pk=photo_pk, answer__inspection=insp).first()
        if photo is None:
            raise Http404
        item_pk = photo.answer.item_id
        try:
            actions.remove_photo(photo, by=request.user)
        except Conflict as exc:
            return self.conflict(request, insp, exc)
        except (Forbidden, NotFound, Invalid) as exc:
            _raise_http(exc)
            raise
        if not _is_htmx(request):
            return redirect(reverse("inspections:detail", args=[pk]) + f"#item-{item_pk}")
        insp.refresh_from_db()
        return self._item(request, insp, item_pk, {})


class FindingView(_StepView):
    """POST ``/inspections/<pk>/finding/<answer_pk>/``: edit a finding's hazard title and
    level, merge it into another finding (``into``) or separate it again (``into=""``)."""

    FRAGMENTS = ["inspections/_answer_findings.html", "inspections/_answer_summary.html"]

    def post(self, request, pk: int, answer_pk: int):
        insp = _visible(request.user, pk)
        row = Answer.objects.filter(pk=answer_pk, inspection=insp).first()
        if row is None:
            raise Http404
        post = request.POST
        errors: dict[str, list[str]] = {}
        try:
            if "into" in post:
                into = post.get("into", "").strip()
                actions.merge(row, int(into) if into.isdigit() else None, by=request.user)
            else:
                actions.answer(
                    insp,
                    row.item_id,
                    by=request.user,
                    result=AnswerResult.FAIL,
                    hazard_title=post.get("hazard_title", ""),
                    hazard_level=post.get("hazard_level") or None,
                )
        except Invalid as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        except Conflict as exc:
            return self.conflict(request, insp, exc)
        except (Forbidden, NotFound) as exc:
            _raise_http(exc)
        if not _is_htmx(request):
            if errors:
                messages.error(request, " ".join(m for v in errors.values() for m in v))
            return redirect(reverse("inspections:detail", args=[pk]) + "#findings")
        insp.refresh_from_db()
        return _fragment(
            request,
            insp,
            self.FRAGMENTS,
            status=400 if errors else 200,
            finding_errors={int(answer_pk): errors},
        )


class SignView(_StepView):
    """POST ``/inspections/<pk>/sign/``: the inspected party's signature (a canvas PNG)."""

    def post(self, request, pk: int):
        insp = _visible(request.user, pk)
        errors: dict[str, list[str]] = {}
        try:
            actions.sign(
                insp,
                by=request.user,
                signer_name=request.POST.get("signer_name", ""),
                png_data_url=request.POST.get("signature", ""),
            )
        except Invalid as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
        except Conflict as exc:
            return self.conflict(request, insp, exc)
        except (Forbidden, NotFound) as exc:
            _raise_http(exc)
        if not _is_htmx(request):
            if errors:
                messages.error(request, " ".join(m for v in errors.values() for m in v))
            else:
                messages.success(request, _("Signature saved."))
            return redirect(reverse("inspections:detail", args=[pk]) + "#signature")
        insp.refresh_from_db()
        return _fragment(
            request,
            insp,
            ["inspections/_answer_signature.html"],
            status=400 if errors else 200,
            sign_errors=errors,
            signer_name=request.POST.get("signer_name", ""),
        )


class SubmitView(_StepView):
    """POST ``/inspections/<pk>/submit/``: report the findings as hazards; read-only after."""

    def post(self, request, pk: int):
        insp = _visible(request.user, pk)
        try:
            actions.submit(insp, by=request.user, summary=request.POST.get("summary", ""))
        except Invalid as exc:
            errors = {k: [str(m) for m in v] for k, v in exc.fields.items()}
            ctx = form_context(
                insp, request.user, submit_errors=errors, summary=request.POST.get("summary", "")
            )
            return render(request, "inspections/inspection_form.html", ctx, status=400)
        except Conflict as exc:
            return self.conflict(request, insp, exc)
        except (Forbidden, NotFound) as exc:
            _raise_http(exc)
            raise
        n = insp.answers.exclude(hazard=None).values("hazard").distinct().count()
        messages.success(
            request,
            ngettext(
                "Inspection submitted; %(n)d hazard reported.",
                "Inspection submitted; %(n)d hazards reported.",
                n,
            )
            % {"n": n},
        )
        return redirect("inspections:detail", pk=pk)


# ---------------------------------------------------------------- files


def _file_response(field, *, content_type: str, filename: str = "") -> FileResponse:
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


class PhotoView(RestrictedViewMixin, View):
    """An answer's photo or thumbnail, only to those who may see the inspection.

    Never linked through MEDIA_URL: evidence is not public.
    """

    model = Inspection
    resource = RESOURCE
    thumbnail = False

    def get(self, request, pk: int):
        visible = Inspection.objects.restrict(request.user, access.VIEW)
        photo = AnswerPhoto.objects.filter(pk=pk, answer__inspection__in=visible).first()
        if photo is None:
            raise Http404
        field = photo.thumbnail if self.thumbnail and photo.thumbnail else photo.file
        return _file_response(field, content_type="image/jpeg")


class SignatureView(RestrictedViewMixin, View):
    """The inspected party's signature, to those who may see the inspection."""

    model = Inspection
    resource = RESOURCE

    def get(self, request, pk: int):
        insp = _visible(request.user, pk)
        if not insp.signature:
            raise Http404
        return _file_response(insp.signature, content_type="image/png")


class RecordPdfView(RestrictedViewMixin, View):
    """``/inspections/<pk>/record.pdf``: the printable inspection record (安全生产检查记录)."""

    model = Inspection
    resource = RESOURCE

    def get(self, request, pk: int):
        from anpai.inspections.pdf import render_record

        insp = _visible(request.user, pk)
        data = render_record(insp, _answers(insp))
        response = HttpResponse(data, content_type="application/pdf")
        name = f"inspection-{insp.pk}-{insp.date:%Y%m%d}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ("Cookie",))
        return response
