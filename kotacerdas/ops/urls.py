from django.urls import path

from kotacerdas.ops.health import health

app_name = "ops"
urlpatterns = [path("kesehatan/", health, name="health")]
