from django.urls import path

from kotacerdas.review import views_manage as views

app_name = "manage"

urlpatterns = [
    path("undangan/", views.invite, name="invite"),
    path("<int:year>/", views.progress, name="progress"),
    path("<int:year>/penugasan/", views.bulk_assign, name="bulk_assign"),
    path("<int:year>/pengingat/", views.remind, name="remind"),
    # Before "<year>/<code>/": "wawancara" is no region code.
    path("<int:year>/wawancara/", views.interviews, name="interviews"),
    path("<int:year>/wawancara/susun/", views.schedule_interviews, name="schedule_interviews"),
    path("<int:year>/wawancara/konfirmasi/", views.confirm_interviews, name="confirm_interviews"),
    path("<int:year>/wawancara/berhalangan/", views.add_unavailability, name="add_unavailability"),
    path(
        "<int:year>/wawancara/berhalangan/<int:pk>/hapus/",
        views.withdraw_unavailability,
        name="withdraw_unavailability",
    ),
    path("<int:year>/wawancara/<str:code>/batal/", views.unconfirm_interview, name="unconfirm_interview"),
    path("<int:year>/<str:code>/", views.region, name="region"),
    path("<int:year>/<str:code>/riwayat/<int:number>/", views.question_history, name="question_history"),
]
