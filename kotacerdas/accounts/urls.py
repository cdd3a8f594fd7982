from django.urls import path

from kotacerdas.accounts import views

app_name = "accounts"

urlpatterns = [
    path("undangan/<str:uidb64>/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("2fa/", views.two_factor_setup, name="two_factor_setup"),
    path("2fa/qr.svg", views.two_factor_qr, name="two_factor_qr"),
    path("2fa/verifikasi/", views.two_factor_verify, name="two_factor_verify"),
]
