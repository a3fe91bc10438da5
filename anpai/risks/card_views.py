"""Risk notification cards (风险告知卡) as PDF, one point's or all of an organisation's, and
the public page a card's QR code opens (``/r/<token>/``, no login)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import View

from anpai.core import access
from anpai.core.views import RestrictedViewMixin
from anpai.orgs.models import Organization
from anpai.risks.card import (
    NATIONAL_LINES,
    active_measures,
    band_colours,
    public_url,
    render_card,
    render_cards,
)
from anpai.risks.choices import LEVEL_COLOUR, RiskLevel
from anpai.risks.models import ControlMeasure, RiskPoint

RESOURCE = "risks.riskpoint"


def _card_queryset(qs: QuerySet[RiskPoint]) -> QuerySet[RiskPoint]:
    """Everything a card prints, in three queries however many points."""
    return qs.select_related("organization", "responsible_user").prefetch_related(
        Prefetch("measures", queryset=ControlMeasure.objects.filter(is_active=True))
    )


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ("Cookie",))
    return response


class CardView(RestrictedViewMixin, View):
    """``/risks/<pk>/card.pdf``: the point's notification card to print and post."""

    model = RiskPoint
    resource = RESOURCE

    def get_queryset(self):
        return _card_queryset(super().get_queryset())

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        point = self.get_object()
        data = render_card(point, public_url(point, request))
        return _pdf(data, f"risk-card-{point.pk}.pdf")


class CardsView(RestrictedViewMixin, View):
    """``/risks/cards.pdf?organization=<pk>``: the cards of all of an organisation's active
    points, one after another (each starts on a new page)."""

    model = RiskPoint
    resource = RESOURCE

    def get(self, request: HttpRequest) -> HttpResponse:
        raw = request.GET.get("organization", "").strip()
        if not raw.isdigit():
            message = _(
                "Organisation: say whose cards to print, as cards.pdf?organization=<number>."
            )
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        scope = access.scope_q(request.user, RESOURCE, access.VIEW, org_path="")
        org = Organization.objects.filter(scope, pk=int(raw)).first() if scope else None
        if org is None:
            raise Http404
        points = _card_queryset(
            RiskPoint.objects.restrict(request.user, access.VIEW).active().filter(organization=org)
        ).order_by("code", "id")
        data = render_cards(points, lambda point: public_url(point, request))
        return _pdf(data, f"risk-cards-{org.pk}.pdf")


def public_point(request: HttpRequest, token: str) -> HttpResponse:
    """The page a card's QR code opens: the point's facts, read-only, for anyone.

    No login. An unknown token or a retired point is the site's ordinary 404.
    Only the point's emergency phone and the national lines are shown: no
    personal phone number of anyone named.
    """
    point = (
        RiskPoint.objects.filter(public_token=token, is_active=True)
        .select_related("organization")
        .prefetch_related(
            Prefetch("measures", queryset=ControlMeasure.objects.filter(is_active=True))
        )
        .first()
    )
    if point is None:
        raise Http404
    fill, ink = band_colours(point)
    colour = LEVEL_COLOUR[RiskLevel(point.level)] if point.level else None
    context = {
        "colour_label": colour.label if colour else "",
        "point": point,
        "fill": fill,
        "ink": ink,
        "measures": active_measures(point),
        "accident_types": point.accident_type_labels(),
        "national_lines": [(number, _(label)) for number, label in NATIONAL_LINES],
    }
    response = render(request, "risks/public.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


urlpatterns = [
    path("<int:pk>/card.pdf", CardView.as_view(), name="card"),
    path("cards.pdf", CardsView.as_view(), name="cards"),
]
