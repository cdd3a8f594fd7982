from django.urls import path

from kotacerdas.review import views, views_interviews

app_name = "review"

urlpatterns = [
    path("", views.my_reviews, name="mine"),
    path("wawancara/<int:year>/", views_interviews.interviews, name="interviews"),
    path("wawancara/<int:year>/jadwal.ics", views_interviews.interviews_ics, name="interviews_ics"),
    path("wawancara/<int:year>/<str:code>.ics", views_interviews.interview_ics, name="interview_ics"),
    path("<int:year>/<str:code>/", views.region_review, name="region"),
    path("<int:year>/<str:code>/skor/<int:number>/", views.save_score, name="save_score"),
    path("<int:year>/<str:code>/temuan/", views.save_findings, name="findings"),
    path("<int:year>/<str:code>/kirim/", views.submit_review, name="submit"),
    path("<int:year>/<str:code>/konsensus/", views.consensus, name="consensus"),
    path("<int:year>/<str:code>/sanggahan/", views.replies, name="replies"),
    path("<int:year>/<str:code>/sanggahan/<int:pk>/jawab/", views.respond, name="respond"),
    path("<int:year>/<str:code>/<slug:dimension>/", views.dimension_review, name="dimension"),
]
