"""Fixtures named for roles: a project with a document, and users in each role (and one outside)."""
import pytest
from django.test import Client

from annotator.models import Role

from .factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory


@pytest.fixture
def project(db):
    return ProjectFactory(name="Purge project")


@pytest.fixture
def document(project):
    return DocumentFactory(project=project, title="Sample")


def _member(project, username, role):
    user = UserFactory(username=username)
    MembershipFactory(user=user, project=project, role=role)
    return user


@pytest.fixture
def annotator(project):
    return _member(project, "ann", Role.ANNOTATOR)


@pytest.fixture
def annotator2(project):
    return _member(project, "ann2", Role.ANNOTATOR)


@pytest.fixture
def reviewer(project):
    return _member(project, "rev", Role.REVIEWER)


@pytest.fixture
def manager(project):
    return _member(project, "boss", Role.MANAGER)


@pytest.fixture
def outsider(db):
    """A user with a project of their own, but not a member of `project`."""
    user = UserFactory(username="outsider")
    MembershipFactory(user=user, project=ProjectFactory(name="Elsewhere"), role=Role.MANAGER)
    return user


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def labels(project):
    return {label.key: label for label in project.labels.all()}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Hashing strength is not under test; PBKDF2's rounds would dominate the suite's time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    """The seed project with two editors, a reviewer and a manager."""
    from annotator.seeds import load_seeds

    project, _ = load_seeds()
    people = {}
    for name, role in [("editor1", Role.ANNOTATOR), ("editor2", Role.ANNOTATOR), ("rev", Role.REVIEWER), ("boss", Role.MANAGER)]:
        people[name] = UserFactory(username=name)
        MembershipFactory(user=people[name], project=project, role=role)
    return project, people
