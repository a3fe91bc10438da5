from django.urls import path

from anpai.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="list"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="detail"),
    path("supervision/", views.SupervisionListView.as_view(), name="supervision"),
]
