from django.urls import path

from kotacerdas.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("hasil/<int:year>/", views.national_table, name="national_table"),
    path("hasil/<int:year>/unduh.csv", views.national_table_csv, name="national_table_csv"),
    path("hasil/<int:year>/unduh.xlsx", views.national_table_xlsx, name="national_table_xlsx"),
    path("hasil/<int:year>/<str:code>/", views.region_result, name="region_result"),
]
