from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from core.health import healthz
from core.redirects import set_language
from core.security import views as security_views

# Says which limit a refused form went over (size, fields, files).
handler400 = "core.bad_request.bad_request"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says; a 404 there would also land in a
    # signed-in user's security log on every page.
    path(
        "favicon.ico",
        # Not permanent: the target's hashed name changes with the icon.
        RedirectView.as_view(url=lazy(static, str)("img/favicon.ico"), permanent=False),
    ),
    path("login/", security_views.LoginView.as_view(), name="login"),
    path("logout/", security_views.LogoutView.as_view(), name="logout"),
    path("password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("notifications/", include("core.notifications.urls")),
    path("", include("core.security.urls")),
    path("reviews/", include("reviews.urls")),
    path("public/", include("publicity.urls")),
    path("exports/", include("core.exports.urls")),
    path("", include("pledges.urls")),
]
