from django.contrib import admin
from django.urls import include, path

from kotacerdas.api.api import api

admin.site.site_header = "Kota Cerdas — administrasi"
admin.site.site_title = "Kota Cerdas"

urlpatterns = [
    path("", include("kotacerdas.dashboard.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
