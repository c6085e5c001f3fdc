from django.urls import path

from guidance import views

app_name = "guidance"
urlpatterns = [
    path("consortia/", views.index, name="index"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
