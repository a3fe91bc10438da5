"""Permit pages: each view module lists its own routes (pages; the PDF and statistics)."""

from anpai.permits import pdf_views, views

app_name = "permits"
urlpatterns = [*views.urlpatterns, *pdf_views.urlpatterns]
