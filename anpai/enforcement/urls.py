from django.urls import path

from anpai.enforcement import views

app_name = "enforcement"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
]
