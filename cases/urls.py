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
    path("new/", views.create, name="create"),
    path("<int:number>/", views.detail, name="detail"),
    path("<int:number>/edit/", views.edit, name="edit"),
    path("<int:number>/status/", views.set_status, name="set_status"),
    path("<int:number>/history/", views.history, name="history"),
    path("<int:number>/history/<int:history_id>/revert/", views.revert, name="revert"),
]
