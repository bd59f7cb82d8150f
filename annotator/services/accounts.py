"""Accounts for newcomers and forgotten passwords, through one-time links: the app sends no mail, so a manager
passes the link on, and only the person who opens it chooses a password.

The links are Django's password reset tokens (default_token_generator): nothing is stored, the token is an HMAC over
the account's password hash, last login and the time it was made, so it expires (PASSWORD_RESET_TIMEOUT), is spent
once a password is set (the hash changes) and is void after any password change or login.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .. import text as textlib
from ..models import Membership, Project, Role
from .errors import ActionRefused, Forbidden
from .projects import add_member, check_manager


@dataclass(frozen=True)
class PasswordLink:
    """What the URL of a one-time link is made of (the view makes the URL: views know the host)."""

    user: object
    uidb64: str
    token: str


def one_time_link(account) -> PasswordLink:
    return PasswordLink(
        account, urlsafe_base64_encode(force_bytes(account.pk)), default_token_generator.make_token(account)
    )


@transaction.atomic
def create_account(*, user, project: Project, username: str, role: str) -> PasswordLink:
    """Make an account for a newcomer, a member of the project with the role, with no password yet; the one-time link
    lets them choose one (the project's managers)."""
    check_manager(user, project.pk)
    User = get_user_model()
    username = username.strip()
    field = User._meta.get_field(User.USERNAME_FIELD)
    assert isinstance(field, CharField)  # a user name is text, as in Django's own User
    if not username:
        raise ActionRefused("The new account needs a user name.")
    try:
        field.run_validators(username)
    except ValidationError as exc:
        raise ActionRefused(" ".join(exc.messages)) from None
    if field.max_length is not None and len(username) > field.max_length:
        raise ActionRefused(f"A user name is at most {field.max_length} characters.")
    if User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exists():
        raise ActionRefused(
            f"The user name “{textlib.isolated(username)}” is taken; add that account as a member, or choose another."
        )
    account = User(**{User.USERNAME_FIELD: username})
    account.set_unusable_password()
    account.save()
    add_member(project=project, member=account, role=role, user=user)
    return one_time_link(account)


def password_link(*, user, member) -> PasswordLink:
    """A one-time link for a member who forgot their password (a manager of every project the member belongs to).

    Staff accounts and one's own are refused: a manager cannot take over an account that can do more than their
    projects allow, and changes their own password on the password page."""
    if member.pk == user.pk:
        raise ActionRefused("Change your own password on the password page.")
    if member.is_staff or member.is_superuser:
        raise Forbidden("Staff accounts get a new password from an administrator, not from a project's manager.")
    if not member.is_active:
        raise ActionRefused(f"The account “{textlib.isolated(member.get_username())}” is inactive.")
    projects = set(Membership.objects.filter(user=member).values_list("project_id", flat=True))
    managed = set(
        Membership.objects.filter(
            user=user, role=Role.MANAGER, project_id__in=projects, project__archived_at__isnull=True
        ).values_list("project_id", flat=True)
    )
    if not projects or projects - managed:
        raise Forbidden(
            f"“{textlib.isolated(member.get_username())}” is a member of projects you do not manage: an administrator, "
            "or a manager of all of them, makes the link."
        )
    return one_time_link(member)
