from django.urls import path

from kotacerdas.accounts import views

app_name = "accounts"

urlpatterns = [
    path("undangan/<str:uidb64>/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
