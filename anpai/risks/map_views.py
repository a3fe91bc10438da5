"""Placeholder routes (names fixed for other pages to link to); the maps helper replaces this."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


urlpatterns = [
    path("plan/<int:org>/", _todo, name="plan"),
    path("plan/<int:org>/image", _todo, name="plan_image"),
    path("<int:pk>/area/", _todo, name="area"),
    path("map/<int:org>.svg", _todo, name="map_svg"),
    path("map/<int:org>.png", _todo, name="map_png"),
    path("map/<int:org>.pdf", _todo, name="map_pdf"),
    path("township-map/", _todo, name="township_map"),
    path("township-map.svg", _todo, name="township_map_svg"),
]
