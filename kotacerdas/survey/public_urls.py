"""The public survey links, under /s/: short, for QR codes."""

from django.urls import path

from kotacerdas.survey import views

app_name = "survey_public"

urlpatterns = [
    path("<str:signed>/", views.respond, name="respond"),
    path("u/<str:signed>/", views.respond_invitation, name="respond_invitation"),
]
