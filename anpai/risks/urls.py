"""Risk pages: each view module lists its own routes (pages, maps, cards)."""

from anpai.risks import card_views, map_views, views

app_name = "risks"
urlpatterns = [*views.urlpatterns, *map_views.urlpatterns, *card_views.urlpatterns]
