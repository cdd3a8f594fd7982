from django.contrib import admin
from django.urls import include, path

from kotacerdas.api.api import api

urlpatterns = [
    # First: the public survey links take the most requests (a resolver tries the patterns in order).
    path("s/", include("kotacerdas.survey.public_urls")),
    path("", include("kotacerdas.dashboard.urls")),
    path("accounts/", include("kotacerdas.accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("penilaian-mandiri/", include("kotacerdas.selfassessment.urls")),
    path("penilaian/", include("kotacerdas.review.urls")),
    path("kelola/siklus/", include("kotacerdas.dashboard.urls_cycles")),
    path("kelola/", include("kotacerdas.review.urls_manage")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kotacerdas.ops.urls")),
    path("survei/", include("kotacerdas.survey.urls")),
    path("", include("kotacerdas.reports.urls")),
]
