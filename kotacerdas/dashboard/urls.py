from django.urls import path

from kotacerdas.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("hasil/<int:year>/", views.national_table, name="national_table"),
    path("hasil/<int:year>/unduh.csv", views.national_table_csv, name="national_table_csv"),
    path("hasil/<int:year>/unduh.xlsx", views.national_table_xlsx, name="national_table_xlsx"),
    path("hasil/<int:year>/<str:code>/", views.region_result, name="region_result"),
    path("hasil/<int:year>/<str:code>/laporan.pdf", views.region_report, name="region_report"),
    path("data/<int:year>/datapackage.json", views.datapackage_json, name="datapackage"),
    path("data/<int:year>/<slug:name>.csv", views.datapackage_resource, name="datapackage_resource"),
    path("metodologi/", views.methodology_latest, name="methodology_latest"),
    path("metodologi/<int:year>/", views.methodology_page, name="methodology"),
]
