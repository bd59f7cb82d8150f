"""Top-level URLs: admin, auth, and the annotator app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Of django.contrib.auth's pages, those the app uses. No password reset by mail (the app sends none): a manager
    # makes a one-time link (annotator/services/accounts.py) that opens Django's own page to choose a password.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(template_name="annotator/password_change_form.html"),
        name="password_change",
    ),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="annotator/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="annotator/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="annotator/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("api/", include("annotator.api.urls")),
    path("", include("annotator.urls")),
]

# Too large, too many fields, malformed: a page (or, for htmx, a message) that says so rather than Django's bare one.
handler400 = "annotator.views.errors.bad_request"
# A fault: under /api/ the API's JSON error shape, Django's own page elsewhere.
handler500 = "annotator.views.errors.server_error"
