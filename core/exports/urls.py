from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("start/", views.start, name="start"),
    path("<int:pk>/", views.job_page, name="job"),
    path("<int:pk>/status.json", views.status, name="status"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/retry/", views.retry, name="retry"),
]
