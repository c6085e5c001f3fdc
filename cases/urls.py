from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.index, name="index"),
    path("like-mine/", views.like_mine, name="like_mine"),
    path("compare/", views.compare, name="compare"),
    path("stats/", views.stats, name="stats"),
    path("export.csv", views.export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("export.json", views.export, {"fmt": "json"}, name="export_json"),
    path("<int:number>/", views.detail, name="detail"),
]
