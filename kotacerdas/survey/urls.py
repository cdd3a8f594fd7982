"""Operators' and admins' survey pages, under /survei/."""

from django.urls import path

from kotacerdas.survey import pages

app_name = "survey"

urlpatterns = [
    path("", pages.index, name="index"),
    path("<int:year>/tinjau/", pages.review, name="review"),
    path("<int:year>/<str:code>/", pages.region, name="region"),
    path("<int:year>/<str:code>/buat-tautan/", pages.create_links, name="create_links"),
    path("<int:year>/<str:code>/<str:dimension>/program/", pages.save_programme, name="programme"),
    path("<int:year>/<str:code>/<str:dimension>/tutup/", pages.close, name="close"),
    path("<int:year>/<str:code>/<str:dimension>/buka/", pages.reopen, name="reopen"),
    path("<int:year>/<str:code>/<str:dimension>/undang/", pages.invite, name="invite"),
    path("<int:year>/<str:code>/<str:dimension>/undangan/", pages.invitations, name="invitations"),
    path("<int:year>/<str:code>/<str:dimension>/poster/", pages.poster, name="poster"),
    path("<int:year>/<str:code>/<str:dimension>/qr.svg", pages.qr, name="qr"),
]
