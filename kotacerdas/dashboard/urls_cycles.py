from django.urls import path

from kotacerdas.dashboard import cycles as views

app_name = "cycles_admin"

urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("baru/", views.new_cycle, name="new"),
    path("<int:year>/", views.cycle_timeline, name="timeline"),
    path("<int:year>/buka/", views.open_view, name="open"),
    path("<int:year>/terbitkan/", views.publish_view, name="publish"),
    path("<int:year>/kehadiran/", views.attendance, name="attendance"),
]
