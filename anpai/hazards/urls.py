from django.urls import path

from anpai.hazards import views

app_name = "hazards"
urlpatterns = [
    path("", views.HazardListView.as_view(), name="list"),
    path("<int:pk>/", views.HazardDetailView.as_view(), name="detail"),
]
