"""Enforcement pages: the view module lists its routes."""

from anpai.enforcement import views

app_name = "enforcement"
urlpatterns = [*views.urlpatterns]
