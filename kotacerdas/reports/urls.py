from django.urls import path

from kotacerdas.reports import views

app_name = "reports"

urlpatterns = [
    path("verifikasi/", views.verify, name="verify"),
    path("verifikasi/<str:code>/", views.verify_code, name="verify_code"),
    path("laporan/<int:year>/hasil.xlsx", views.workbook, name="workbook"),
    path("laporan/unduh/<str:code>.pdf", views.download, name="download"),
    path("laporan/<int:year>/<str:region>/", views.region_report, name="region_report"),
]
