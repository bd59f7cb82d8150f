"""Top-level URLs: admin, auth, and the annotator app."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # Of django.contrib.auth's pages, those the app uses. No password reset: the app sends no mail, so the
    # reset form would say a mail went out when none does; a manager or staff sets a forgotten password.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("annotator.urls")),
]

# Too large, too many fields, malformed: a page (or, for htmx, a message) that says so rather than Django's bare one.
handler400 = "annotator.views.errors.bad_request"
