from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("logout/everywhere/", views.logout_everywhere, name="logout_everywhere"),
    path("security-log/", views.security_log_page, name="log"),
    path("security-log/export/", views.security_log_export, name="log_export"),
]
