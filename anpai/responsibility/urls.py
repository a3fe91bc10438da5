from django.urls import path

from anpai.responsibility import views

app_name = "responsibility"
urlpatterns = [
    # /responsibility/ : leaders' lists for government roles, commitments for enterprises.
    path("", views.home, name="home"),
    path("leaders/", views.OverviewView.as_view(), name="lists"),
    path("leaders/mine/", views.MyListsView.as_view(), name="mine"),
    path("leaders/export.xlsx", views.ExportView.as_view(what="overview"), name="export"),
    path("leaders/items.xlsx", views.ExportView.as_view(what="items"), name="export_items"),
    path("leaders/new/", views.ListCreateView.as_view(), name="create"),
    path("leaders/<int:org_id>/<int:leader_id>/", views.LeaderView.as_view(), name="leader"),
    path("leaders/<int:org_id>/<int:leader_id>/print/", views.PrintView.as_view(), name="print"),
    path("leaders/<int:org_id>/<int:leader_id>/review/", views.ReviewView.as_view(), name="review"),
    path("lists/<int:pk>/edit/", views.ListEditView.as_view(), name="edit"),
    path("items/<int:pk>/progress/", views.ProgressView.as_view(), name="progress"),
    path("reviews/<int:pk>/", views.ReviewDetailView.as_view(), name="review_detail"),
]
