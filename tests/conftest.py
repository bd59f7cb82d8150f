"""Fixtures named for roles: a project with a document, and users in each role (and one outside);
and for the scale-out tests, two real servers on the tests' PostgreSQL database."""

import pytest
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from annotator.models import Role

from .factories import DocumentFactory, MembershipFactory, ProjectFactory, UserFactory

# Property tests assert what the code does, never how fast: hypothesis's 200 ms deadline per example failed them on a
# loaded machine (a shared CI runner, two test runs at once), which says nothing about the code.
hypothesis_settings.register_profile("annotator", deadline=None)
hypothesis_settings.load_profile("annotator")


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


def events(response) -> list[str]:
    """The client events an htmx answer triggers (django-htmx's trigger_client_event writes them as JSON)."""
    import json

    header = response.headers.get("HX-Trigger")
    return list(json.loads(header)) if header else []


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def labels(project):
    return {label.key: label for label in project.labels.all()}


@pytest.fixture(autouse=True)
def fast_password_hashing(request, settings):
    # Hashing strength is not under test; PBKDF2's rounds would dominate the suite's time. Not for the
    # scale-out tests: their servers check passwords with production's hashers.
    if request.node.get_closest_marker("scaleout"):
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    """The seed project with two editors, a reviewer and a manager."""
    from annotator.seeds import load_seeds

    people = {"boss": UserFactory(username="boss")}
    project, _ = load_seeds(manager=people["boss"])  # the seeds' manager adds them
    for name, role in [("editor1", Role.ANNOTATOR), ("editor2", Role.ANNOTATOR), ("rev", Role.REVIEWER)]:
        people[name] = UserFactory(username=name)
        MembershipFactory(user=people[name], project=project, role=role)
    return project, people


# Scale-out: real gunicorn processes sharing one database. ----------------------------------------


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    # Servers in other processes cannot see SQLite's in-memory test database; the PostgreSQL run of .ci/run runs these.
    skip = pytest.mark.skip(reason="scale-out tests need PostgreSQL: set DATABASE_URL to a PostgreSQL database")
    for item in items:
        if item.get_closest_marker("scaleout"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def server_env(django_db_setup, tmp_path_factory):
    """make_env(**extra): a server's environment on the tests' database, its static files collected once."""
    from .servers import collectstatic, database_url, production_env

    static_root = tmp_path_factory.mktemp("static")
    url = database_url(connection.settings_dict)  # pytest-django's test database, by now

    def make_env(**extra):
        return production_env(database_url=url, static_root=static_root, **extra)

    collectstatic(make_env())
    return make_env


@pytest.fixture(scope="module")
def servers(server_env, tmp_path_factory):
    """Two gunicorn processes (separate masters, nothing shared but the database), started for a module."""
    from .servers import Server

    logs = tmp_path_factory.mktemp("servers")
    started = []
    try:
        for n in (1, 2):
            started.append(Server(server_env(), logs / f"server-{n}.log", workers=1, threads=4).start())
        yield started
    finally:
        for server in started:
            server.stop()


@pytest.fixture(autouse=True)
def tasks_run_at_once(request, settings):
    """Background tasks run at once, in the request that queues them (Django's immediate backend); the tests marked
    `worker` keep the database backend and run the real worker command."""
    if request.node.get_closest_marker("worker") is None:
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
