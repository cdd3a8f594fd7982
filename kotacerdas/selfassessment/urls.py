from django.urls import path

from kotacerdas.selfassessment import views

app_name = "selfassessment"

urlpatterns = [
    path("bukti/<int:pk>/", views.download_evidence, name="evidence"),
    path("<int:year>/<str:code>/", views.overview, name="overview"),
    path("<int:year>/<str:code>/kirim/", views.submit, name="submit"),
    path("<int:year>/<str:code>/program/", views.programmes, name="programmes"),
    path("<int:year>/<str:code>/program/<int:pk>/", views.programme_edit, name="programme_edit"),
    path("<int:year>/<str:code>/program/<int:pk>/hapus/", views.programme_delete, name="programme_delete"),
    path("<int:year>/<str:code>/jawaban/<int:number>/", views.save_answer, name="save_answer"),
    path("<int:year>/<str:code>/bukti/<int:number>/", views.upload_evidence, name="upload_evidence"),
    path("<int:year>/<str:code>/bukti/<int:pk>/hapus/", views.remove_evidence, name="remove_evidence"),
    path("<int:year>/<str:code>/<slug:dimension>/", views.dimension_page, name="dimension"),
]
