"""The site plan editor and the four-colour maps (四色图) of an organisation and of the
township.

Organisations are reached through ``access.org_allows`` on ``risks.riskpoint``
(404 outside the user's scope, 403 when they may see but not change); every
change is a function of :mod:`anpai.risks.actions`. The plan picture is served
by a checked view, never through MEDIA_URL.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View

from anpai.core import access
from anpai.core.errors import ActionError, Forbidden, Invalid, NotFound
from anpai.core.views import RestrictedViewMixin
from anpai.orgs.models import Organization
from anpai.risks import actions, maps
from anpai.risks.choices import FILL, INK, LEVEL_COLOUR, LEVEL_ORDER, RiskLevel
from anpai.risks.models import RiskPoint, SitePlan

RESOURCE = actions.RESOURCE
SVG_TYPE = "image/svg+xml"
# A map file is a picture: nothing in it runs, even opened from this origin.
FILE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def _org(user: Any, pk: int) -> Organization:
    """The organisation if ``user`` may see its risk points, else 404."""
    org = Organization.objects.select_related("region").filter(pk=pk).first()
    if org is None or not access.org_allows(user, RESOURCE, access.VIEW, org):
        raise Http404
    return org


def _may_change(user: Any, org: Organization) -> bool:
    return access.org_allows(user, RESOURCE, access.CHANGE, org)


def _file_name(org: Organization, ext: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "", org.name).strip() or str(org.pk)
    return f"{name}-{_('risk-map')}-{timezone.localdate():%Y%m%d}.{ext}"


def _download(data: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ("Cookie",))
    return response


# ---------------------------------------------------------------- the editor


class PlanView(RestrictedViewMixin, View):
    """``plan/<org>/``: the map with its editor (for those who may change the risk points),
    the list of the organisation's active risk points, the plan upload and the downloads."""

    resource = RESOURCE
    template_name = "risks/plan.html"

    def context(self, org: Organization, **extra: Any) -> dict[str, Any]:
        user = self.request.user
        plan = SitePlan.objects.filter(organization=org).first()
        image_href = (
            reverse("risks:plan_image", args=[org.pk]) + f"?v={int(plan.updated_at.timestamp())}"
            if plan is not None and plan.image
            else None
        )
        can_change = _may_change(user, org)
        svg = maps.render_svg(
            maps.org_scene(org, image_href=image_href, interactive=can_change), standalone=False
        )
        points = list(
            RiskPoint.objects.restrict(user, access.VIEW)
            .filter(organization=org, is_active=True)
            .order_by("code", "id")
        )
        rows = [
            {
                "point": p,
                "fill": maps.level_fill(p.level),
                "level_name": maps.level_name(p.level),
                "drawn": len(p.area or []) >= 3,
                "url": reverse("risks:area", args=[p.pk]),
            }
            for p in points
        ]
        fills = {str(lv): FILL[LEVEL_COLOUR[lv]] for lv in LEVEL_ORDER}
        fills[""] = maps.UNASSESSED_FILL
        config = {
            "fills": fills,
            "opacity": maps.AREA_OPACITY_IMAGE if image_href else maps.AREA_OPACITY_GRID,
            "messages": {
                "pick": _("Choose a risk point first, then tap the plan to add its corners."),
                "drawing": _("Drawing %(name)s: tap the plan to add corners, then press Finish."),
                "corners": _("%(n)d corners"),
                "few": _("An area needs at least three corners."),
                "saving": _("Saving…"),
                "saved": _("Saved the area of %(name)s."),
                "cleared": _("Removed the area of %(name)s from the plan."),
                "clear_confirm": _("Remove the area of %(name)s from the plan?"),
                "failed": _("Not saved: %(error)s"),
                "offline": _("Not saved: no connection. Try again."),
                "drawn": _("On the plan"),
                "not_drawn": _("Not on the plan"),
            },
        }
        return {
            "org": org,
            "plan": plan,
            "svg": mark_safe(svg),  # noqa: S308 - every user text in it is escaped by maps
            "rows": rows,
            "can_change": can_change,
            "config": config,
            "legend": [
                {"name": RiskLevel(lv).label, "fill": FILL[LEVEL_COLOUR[lv]]} for lv in LEVEL_ORDER
            ],
            "ink": INK,
            "csrf_header": "X-CSRFToken",
            "title_value": plan.title if plan is not None else org.name,
            "errors": {},
            **extra,
        }

    def get(self, request, org: int):
        found = _org(request.user, org)
        return render(request, self.template_name, self.context(found))

    def post(self, request, org: int):
        found = _org(request.user, org)
        if not _may_change(request.user, found):
            raise PermissionDenied(_("Your role may not change this organisation's site plan."))
        what = request.POST.get("do", "")
        try:
            if what == "image":
                upload = request.FILES.get("image")
                if upload is None:
                    raise Invalid(fields={"image": [_("Choose an image of the site plan.")]})
                actions.save_site_plan(found, by=request.user, image=upload)
                messages.success(request, _("The new site plan is in place."))
            elif what == "blank":
                actions.save_site_plan(found, by=request.user, blank=True)
                messages.success(request, _("The map is drawn on a blank grid now."))
            elif what == "title":
                title = request.POST.get("title", "")
                if len(title.strip()) > 200:
                    raise Invalid(fields={"title": [_("At most %(n)d characters.") % {"n": 200}]})
                actions.save_site_plan(found, by=request.user, title=title)
                messages.success(request, _("The title is saved."))
            else:
                raise Invalid(fields={"do": [_("Unknown request.")]})
        except Invalid as exc:
            errors = {
                ("image" if name == "file" else name): [str(m) for m in msgs]
                for name, msgs in exc.fields.items()
            } or {"do": [str(exc.message)]}
            context = self.context(found, errors=errors)
            if what == "title":
                context["title_value"] = request.POST.get("title", "")
            return render(request, self.template_name, context, status=400)
        except (Forbidden, NotFound) as exc:
            _raise_http(exc)
        return redirect("risks:plan", org=found.pk)


def _raise_http(exc: ActionError) -> None:
    if isinstance(exc, NotFound):
        raise Http404(str(exc.message)) from exc
    raise PermissionDenied(str(exc.message)) from exc


class PlanImageView(RestrictedViewMixin, View):
    """``plan/<org>/image``: the plan picture, only to those who may see the organisation's
    risk points."""

    resource = RESOURCE

    def get(self, request, org: int):
        found = _org(request.user, org)
        plan = (
            SitePlan.objects.restrict(request.user, access.VIEW).filter(organization=found).first()
        )
        if plan is None or not plan.image:
            raise Http404
        try:
            handle = plan.image.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type="image/png")
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, max-age=3600"
        patch_vary_headers(response, ("Cookie",))
        return response


class AreaView(RestrictedViewMixin, View):
    """``<pk>/area/``: POST ``{"area": [[x, y], ...]}`` (plan units; ``[]`` clears it).

    Answers JSON: the point's level, colour and fill, or the field errors (400),
    403 for a role that may see but not change, 404 outside the user's scope.
    """

    resource = RESOURCE
    http_method_names = ["post"]

    def post(self, request, pk: int):
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict) or "area" not in body:
            return JsonResponse(
                {"errors": {"area": [_('Send the area as JSON: {"area": [[x, y], ...]}.')]}},
                status=400,
            )
        try:
            point = actions.save_area(pk, by=request.user, area=body["area"])
        except ActionError as exc:
            return JsonResponse({"errors": exc.as_dict()}, status=exc.status)
        return JsonResponse(
            {
                "id": point.pk,
                "name": point.name,
                "code": point.code,
                "level": point.level,
                "level_name": maps.level_name(point.level),
                "colour": point.colour,
                "fill": maps.level_fill(point.level),
                "area": point.area,
                "version": point.version,
            }
        )


# ---------------------------------------------------------------- downloads


class MapSvgView(RestrictedViewMixin, View):
    resource = RESOURCE

    def get(self, request, org: int):
        found = _org(request.user, org)
        return _download(
            maps.org_map_svg(found), f"{SVG_TYPE}; charset=utf-8", _file_name(found, "svg")
        )


class MapPngView(RestrictedViewMixin, View):
    resource = RESOURCE

    def get(self, request, org: int):
        found = _org(request.user, org)
        return _download(maps.org_map_png(found), "image/png", _file_name(found, "png"))


class MapPdfView(RestrictedViewMixin, View):
    """``map/<org>.pdf?paper=A4|A3``: the map on one landscape page."""

    resource = RESOURCE

    def get(self, request, org: int):
        found = _org(request.user, org)
        paper = request.GET.get("paper", "A4").strip().upper() or "A4"
        if paper not in maps.PAPERS:
            return HttpResponse(
                _("Paper must be one of: %(choices)s.") % {"choices": ", ".join(maps.PAPERS)},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        data = maps.org_map_pdf(found, paper=paper)
        stem = _file_name(found, "pdf")[: -len(".pdf")]
        return _download(data, "application/pdf", f"{stem}-{paper}.pdf")


# ---------------------------------------------------------------- the township's map


class TownshipMapView(RestrictedViewMixin, View):
    """``township-map/``: the organisations the user may see, coloured by their highest
    risk level, and the risk points per level per village."""

    resource = RESOURCE
    template_name = "risks/township_map.html"

    def get(self, request):
        data = maps.township_data(request.user)
        scene = maps.township_scene(data, link=_org_link)
        return render(
            request,
            self.template_name,
            {
                "svg": mark_safe(maps.render_svg(scene, standalone=False)),  # noqa: S308 - escaped
                "data": data,
                "rows": data.rows,
                "totals": data.totals,
                "levels": [
                    {
                        "value": str(lv),
                        "name": RiskLevel(lv).label,
                        "colour": str(LEVEL_COLOUR[lv]),
                        "fill": FILL[LEVEL_COLOUR[lv]],
                    }
                    for lv in LEVEL_ORDER
                ],
                "grey": maps.UNASSESSED_FILL,
                "title": scene.title,
            },
        )


class TownshipMapSvgView(RestrictedViewMixin, View):
    resource = RESOURCE

    def get(self, request):
        data = maps.township_data(request.user)
        scene = maps.township_scene(data, link=lambda o: request.build_absolute_uri(_org_link(o)))
        name = f"{_('township-risk-map')}-{timezone.localdate():%Y%m%d}.svg"
        return _download(maps.render_svg(scene), f"{SVG_TYPE}; charset=utf-8", name)


def _org_link(org: Organization) -> str:
    return reverse("risks:plan", args=[org.pk])


urlpatterns = [
    path("plan/<int:org>/", PlanView.as_view(), name="plan"),
    path("plan/<int:org>/image", PlanImageView.as_view(), name="plan_image"),
    path("<int:pk>/area/", AreaView.as_view(), name="area"),
    path("map/<int:org>.svg", MapSvgView.as_view(), name="map_svg"),
    path("map/<int:org>.png", MapPngView.as_view(), name="map_png"),
    path("map/<int:org>.pdf", MapPdfView.as_view(), name="map_pdf"),
    path("township-map/", TownshipMapView.as_view(), name="township_map"),
    path("township-map.svg", TownshipMapSvgView.as_view(), name="township_map_svg"),
]
