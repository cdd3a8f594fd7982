from django.urls import path

from kotacerdas.review import views_manage as views

app_name = "manage"

urlpatterns = [
    path("undangan/", views.invite, name="invite"),
    path("<int:year>/", views.progress, name="progress"),
    path("<int:year>/penugasan/", views.bulk_assign, name="bulk_assign"),
    path("<int:year>/pengingat/", views.remind, name="remind"),
    path("<int:year>/<str:code>/", views.region, name="region"),
    path("<int:year>/<str:code>/riwayat/<int:number>/", views.question_history, name="question_history"),
]
