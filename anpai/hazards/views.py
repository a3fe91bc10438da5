"""Hazard pages: the list (with its htmx fragment), reporting, the detail page
with the steps the user may take, and the evidence files.

Rows come only through ``restrict(user, action)``; every step is done by a
function of :mod:`anpai.hazards.actions`, which re-checks scope, role, state
and version. These views parse input, call it and map its errors to pages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from anpai.core import access
from anpai.core.errors import ActionError, Conflict, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.hazards import actions
from anpai.hazards.choices import (
    AttachmentKind,
    EventKind,
    ExtensionState,
    HazardLevel,
    HazardState,
)
from anpai.hazards.filtersets import HazardFilterSet
from anpai.hazards.forms import ACTION_FORMS, ActionForm, ReportForm
from anpai.hazards.models import Attachment, Category, Event, Extension, Hazard
from anpai.risks.choices import FILL, Colour
from anpai.risks.models import RiskPoint

RESOURCE = "hazards.hazard"

# The action in the URL → the function doing it. ``extend`` is the request for
# an extension; the policy names the action the same way.
ACTION_FUNCTIONS = {
    "grade": actions.grade,
    "assign": actions.assign,
    "rectify": actions.rectify,
    "verify": actions.verify,
    "void": actions.void,
    "extend": actions.request_extension,
    "decide_extension": actions.decide_extension,
    "supervise": actions.supervise,
    "attach": actions.attach,
}
# The order the panels appear in on the detail page: the next step first.
ACTION_ORDER = (
    "assign",
    "rectify",
    "verify",
    "decide_extension",
    "supervise",
    "grade",
    "extend",
    "attach",
    "void",
)
ACTION_LABELS = {
    "grade": gettext_lazy("Grade"),
    "assign": gettext_lazy("Assign rectification"),
    "rectify": gettext_lazy("Report rectified"),
    "verify": gettext_lazy("Accept"),
    "void": gettext_lazy("Void"),
    "extend": gettext_lazy("Request an extension"),
    "decide_extension": gettext_lazy("Decide the extension"),
    "supervise": gettext_lazy("Listed supervision"),
    "attach": gettext_lazy("Add evidence"),
}
ACTION_DONE = {
    "grade": gettext_lazy("Level saved."),
    "assign": gettext_lazy("Rectification assigned."),
    "rectify": gettext_lazy("Rectification reported; it now awaits acceptance."),
    "verify": gettext_lazy("Acceptance recorded."),
    "void": gettext_lazy("Hazard voided."),
    "extend": gettext_lazy("Extension requested."),
    "decide_extension": gettext_lazy("Extension decided."),
    "supervise": gettext_lazy("Placed under listed supervision."),
    "attach": gettext_lazy("Evidence added."),
}
DETAIL_LABELS = {
    "deadline": gettext_lazy("deadline"),
    "funds": gettext_lazy("funds"),
    "responsible": gettext_lazy("responsible"),
    "actual_cost": gettext_lazy("actual cost"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "kind": gettext_lazy("kind"),
    "file": gettext_lazy("file"),
    "supervisor": gettext_lazy("supervisor"),
}
OPEN_QUERY = "open=true"


def _without(params, *names: str) -> str:
    """A query string without some parameters (the export link drops the page)."""
    params = params.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


# ---------------------------------------------------------------- list


class HazardListView(RestrictedViewMixin, ListView):
    """The hazards in the user's scope, filtered. An htmx request gets the results only."""

    model = Hazard
    resource = RESOURCE
    template_name = "hazards/hazard_list.html"
    fragment_template = "hazards/_hazard_results.html"
    paginate_by = 50

    # Shortcut tabs: (key, label, query string).
    TABS = (
        ("mine", gettext_lazy("My tasks"), "mine=true"),
        ("overdue", gettext_lazy("Overdue"), "overdue=true"),
        ("major", gettext_lazy("Major"), "level=major"),
        ("all", gettext_lazy("All"), ""),
    )

    def get_queryset(self):
        base = Hazard.objects.restrict(self.request.user, access.VIEW).with_list_related()
        self.filterset = HazardFilterSet(self.request.GET, queryset=base, request=self.request)
        return self.filterset.qs

    def is_fragment(self) -> bool:
        htmx = getattr(self.request, "htmx", None)
        return htmx is not None and bool(htmx) and not htmx.history_restore_request

    def get_template_names(self):
        return [self.fragment_template if self.is_fragment() else self.template_name]

    def active_filters(self) -> dict[str, list[str]]:
        return {
            name: values
            for name in self.filterset.filters
            if (values := [v for v in self.request.GET.getlist(name) if v.strip()])
        }

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        get = self.request.GET
        query = _without(get, "page")
        fields = self.filterset.form.fields
        active = self.active_filters()
        ctx.update(
            fragment=self.is_fragment(),
            filter=self.filterset,
            active_filters=active,
            can_add=access.can(user, RESOURCE, access.ADD),
            can_export=access.can(user, RESOURCE, access.EXPORT),
            can_import=access.can(user, RESOURCE, access.IMPORT),
            export_query=query,
            tabs=[
                {"key": key, "label": label, "query": q, "active": query == q}
                for key, label, q in self.TABS
            ],
            selected={
                "state": get.getlist("state"),
                "level": get.get("level", ""),
                "source": get.getlist("source"),
                "category": get.getlist("category"),
                "industry": get.getlist("industry"),
                "village": get.get("village", ""),
                "organization": get.get("organization", ""),
                "overdue": get.get("overdue", ""),
                "supervised": get.get("supervised", ""),
                "mine": get.get("mine", ""),
                "open": get.get("open", ""),
            },
            state_choices=fields["state"].choices,
            level_choices=HazardLevel.choices,
            source_choices=fields["source"].choices,
        )
        if not ctx["fragment"]:
            # The choice lists are only drawn with the whole page.
            ctx.update(
                village_choices=list(fields["village"].queryset),
                industry_choices=list(fields["industry"].queryset),
                category_choices=list(fields["category"].queryset),
                # An enterprise's staff see one organisation: no point in a choice.
                organization_choices=list(
                    fields["organization"].queryset.only("id", "name").order_by("name")[:501]
                ),
                more_filters=bool(
                    set(active)
                    & {
                        "organization",
                        "industry",
                        "category",
                        "source",
                        "found_after",
                        "found_before",
                        "deadline_after",
                        "deadline_before",
                        "supervised",
                    }
                ),
            )
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        # The same URL answers a page or a fragment: caches must keep them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response


# ---------------------------------------------------------------- report


class HazardCreateView(RestrictedViewMixin, FormView):
    """Report a hazard (phone first): a few fields and photos from the camera."""

    model = Hazard
    resource = RESOURCE
    permission_action = access.ADD
    form_class = ReportForm
    template_name = "hazards/hazard_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        # ?organization=<id> from an organisation's page preselects it.
        if (org := self.request.GET.get("organization", "").strip()) and org.isdigit():
            initial["organization"] = int(org)
        # ?category=<code> (e.g. work_without_permit from the permit pages) preselects it.
        if code := self.request.GET.get("category", "").strip():
            category = Category.objects.filter(code=code, is_active=True).first()
            if category is not None:
                initial["category"] = category.pk
        # ?risk_point=<id> from a risk point's page (or its public card) preselects the
        # point and its organisation, if the user may see it and report there.
        if (pk := self.request.GET.get("risk_point", "").strip()) and pk.isdigit():
            point = (
                RiskPoint.objects.restrict(self.request.user, access.VIEW)
                .active()
                .filter(pk=int(pk))
                .first()
            )
            if point is not None and access.org_allows(
                self.request.user, RESOURCE, access.ADD, point.organization
            ):
                initial["organization"] = point.organization_id
                initial["risk_point"] = point.pk
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            hazard = actions.report(
                by=self.request.user,
                organization=data["organization"],
                title=data["title"],
                description=data["description"],
                category=data["category"],
                level=data["level"],
                source=data["source"],
                place=data["place"],
                found_at=data["found_at"],
                clause=data["clause"],
                photos=data["photos"],
                risk_point=data.get("risk_point"),
            )
        except Invalid as exc:
            form.add_action_errors(exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        messages.success(self.request, _("Hazard %(number)s reported.") % {"number": hazard.number})
        return redirect("hazards:detail", pk=hazard.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


# ---------------------------------------------------------------- detail


def _detail_queryset(user):
    return (
        Hazard.objects.restrict(user, access.VIEW)
        .with_list_related()
        .select_related("rectified_by", "supervisor", "organization__region__parent", "risk_point")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
            Prefetch("events", queryset=Event.objects.select_related("actor")),
            Prefetch(
                "extensions",
                queryset=Extension.objects.select_related("requested_by", "decided_by"),
            ),
        )
    )


def _event_rows(hazard: Hazard) -> list[dict[str, Any]]:
    """The timeline: each event with its details as readable (label, value) pairs."""
    states = dict(HazardState.choices)
    levels = dict(HazardLevel.choices)
    kinds = dict(AttachmentKind.choices)
    rows = []
    for event in hazard.events.all():
        details = []
        for key, value in (event.data or {}).items():
            if value in (None, "", "None"):
                continue
            if event.kind == EventKind.GRADE and key in ("from", "to"):
                value = levels.get(value, value)
            elif key == "kind":
                value = kinds.get(value, value)
            details.append((DETAIL_LABELS.get(key, key), value))
        rows.append(
            {
                "event": event,
                "from_label": states.get(event.from_state, ""),
                "to_label": states.get(event.to_state, ""),
                "moved": bool(event.from_state) and event.from_state != event.to_state,
                "details": details,
            }
        )
    return rows


def detail_context(hazard: Hazard, user, *, bound: ActionForm | None = None) -> dict[str, Any]:
    """Everything the detail page shows; ``bound`` is a posted form to show with its errors."""
    available = actions.available_actions(hazard, user)
    forms = []
    for name in ACTION_ORDER:
        if name not in available:
            continue
        form = (
            bound
            if bound is not None and bound.action == name
            else ACTION_FORMS[name](hazard=hazard, user=user)
        )
        forms.append({"name": name, "label": ACTION_LABELS[name], "form": form})
    attachments = list(hazard.attachments.all())
    pending = [e for e in hazard.extensions.all() if e.state == ExtensionState.PENDING]
    return {
        "object": hazard,
        "hazard": hazard,
        "action_forms": forms,
        "open_action": bound.action if bound is not None else "",
        "before_photos": [a for a in attachments if a.kind == AttachmentKind.BEFORE and a.is_image],
        "after_photos": [a for a in attachments if a.kind == AttachmentKind.AFTER and a.is_image],
        "documents": [
            a for a in attachments if not a.is_image or a.kind == AttachmentKind.DOCUMENT
        ],
        "timeline": _event_rows(hazard),
        "extensions": list(hazard.extensions.all()),
        "pending_extension": pending[0] if pending else None,
        "plan": [
            (hazard._meta.get_field(n).verbose_name, getattr(hazard, n))
            for n in actions.PLAN_FIELDS
        ],
        "risk_point": _risk_point_badge(hazard),
    }


def _risk_point_badge(hazard: Hazard) -> dict[str, Any] | None:
    """The risk point the hazard was found at, with its level's colour (None if at none)."""
    point = hazard.risk_point
    if point is None:
        return None
    return {"point": point, "fill": FILL[Colour(point.colour)] if point.colour else ""}


class HazardDetailView(RestrictedViewMixin, DetailView):
    """One hazard: its facts, evidence, history, and the steps the user may take."""

    model = Hazard
    resource = RESOURCE
    template_name = "hazards/hazard_detail.html"

    def get_queryset(self):
        return _detail_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(detail_context(self.object, self.request.user))
        return ctx


class HazardActionView(RestrictedViewMixin, View):
    """POST ``/hazards/<pk>/<action>/``: one step of the closed loop.

    Outside the user's scope → 404; a role that may not take this step → 403;
    bad input → the detail page again with the form's errors (400); the
    hazard changed meanwhile or is in another state → back to the fresh page
    with the reason (409 as a message).
    """

    resource = RESOURCE
    model = Hazard

    def get(self, request, pk: int, action: str):
        return redirect("hazards:detail", pk=pk)

    def post(self, request, pk: int, action: str):
        if action not in ACTION_FUNCTIONS:
            raise Http404
        hazard = _detail_queryset(request.user).filter(pk=pk).first()
        if hazard is None:
            raise Http404
        # A role without this step for the organisation is refused before the
        # input is read, so a viewer gets 403 whatever they post.
        if not access.roles_on(request.user, RESOURCE, action, hazard.organization):
            raise PermissionDenied
        form = ACTION_FORMS[action](request.POST, request.FILES, hazard=hazard, user=request.user)
        if not form.is_valid():
            return self._again(hazard, form)
        try:
            ACTION_FUNCTIONS[action](hazard.pk, by=request.user, **form.kwargs())
        except Invalid as exc:
            form.add_action_errors(exc)
            return self._again(hazard, form)
        except Conflict as exc:
            messages.error(request, str(exc.message))
            return redirect("hazards:detail", pk=hazard.pk)
        except Forbidden as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except NotFound as exc:
            raise Http404(str(exc.message)) from exc
        except ActionError as exc:  # pragma: no cover - every subclass is handled above
            messages.error(request, str(exc.message))
            return redirect("hazards:detail", pk=hazard.pk)
        messages.success(request, str(ACTION_DONE[action]))
        return redirect("hazards:detail", pk=hazard.pk)

    def _again(self, hazard: Hazard, form: ActionForm):
        """The detail page with the posted form open and its errors shown (400)."""
        return render(
            self.request,
            "hazards/hazard_detail.html",
            detail_context(hazard, self.request.user, bound=form),
            status=400,
        )


# ---------------------------------------------------------------- evidence


class AttachmentView(RestrictedViewMixin, View):
    """An evidence file or its thumbnail, only to those who may see the hazard.

    Evidence is not public: it is never linked through MEDIA_URL.
    """

    resource = RESOURCE
    model = Attachment
    thumbnail = False

    def get(self, request, pk: int):
        attachment = Attachment.objects.restrict(request.user, access.VIEW).filter(pk=pk).first()
        if attachment is None:
            raise Http404
        field = attachment.thumbnail if self.thumbnail and attachment.thumbnail else attachment.file
        try:
            handle = field.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        content_type = "image/jpeg" if field is attachment.thumbnail else attachment.content_type
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=not attachment.is_image,
            filename=attachment.original_name,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        return response
