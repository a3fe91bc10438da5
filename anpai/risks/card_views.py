"""Placeholder routes (names fixed for other pages to link to); the cards helper replaces this."""

from django.http import Http404
from django.urls import path


def _todo(request, **kwargs):
    raise Http404


def public_point(request, token):
    raise Http404


urlpatterns = [
    path("<int:pk>/card.pdf", _todo, name="card"),
    path("cards.pdf", _todo, name="cards"),
]
