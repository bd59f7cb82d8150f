"""load_seeds and demo."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from annotator.models import Document, Membership, Project
from annotator.seeds import SEED_PROJECT, seed_files

from .factories import UserFactory

SHARED_TITLES = {
    "What if Stalin only purged Trotskyites and didn't let mass psychosis/tattling set in?",
    "Did Stalin Want “Mass\u00a0Terror?”",  # a no-break space, as in the file
}


def test_load_seeds_loads_both_documents_titled_by_their_first_line(db):
    chief = UserFactory(username="chief")
    call_command("load_seeds", manager="chief")
    project = Project.objects.get(name=SEED_PROJECT)
    assert set(project.documents.values_list("title", flat=True)) == SHARED_TITLES
    for doc in project.documents.all():
        raw = (Path(settings.BASE_DIR) / "seeds" / doc.origin).read_bytes()
        assert doc.text == raw.decode("utf-8")
        assert doc.created_by == chief  # added by the project's manager, as the app adds documents
    managers = Membership.objects.filter(project=project).values_list("user__username", "role")
    assert list(managers) == [("chief", "manager")]


def test_load_seeds_twice_changes_nothing(db):
    UserFactory(username="chief")
    call_command("load_seeds", manager="chief")
    before = list(Document.objects.values_list("id", "title", "text", "revision"))
    call_command("load_seeds", manager="chief")
    assert list(Document.objects.values_list("id", "title", "text", "revision")) == before
    assert Project.objects.count() == 1


def test_load_seeds_needs_a_manager_of_the_seed_project(db):
    with pytest.raises(CommandError, match="There is no user “nobody”"):
        call_command("load_seeds", manager="nobody")
    UserFactory(username="chief"), UserFactory(username="stranger")
    call_command("load_seeds", manager="chief")
    Document.objects.filter(origin=seed_files()[0].name).delete()  # a seed to add again
    with pytest.raises(CommandError, match="not a member"):
        call_command("load_seeds", manager="stranger")
    assert Document.objects.count() == 1
    assert not Membership.objects.filter(user__username="stranger").exists()


def test_demo_creates_the_accounts_with_the_password_given(db, settings):
    settings.DEBUG = True
    call_command("demo", password="s3cret-pass")
    for name in ["editor1", "editor2", "reviewer", "manager", "admin"]:
        assert get_user_model().objects.get(username=name).check_password("s3cret-pass")
    roles = dict(Membership.objects.filter(project__name=SEED_PROJECT).values_list("user__username", "role"))
    assert roles == {
        "editor1": "annotator",
        "editor2": "annotator",
        "reviewer": "reviewer",
        "manager": "manager",
        "admin": "manager",
    }
    assert get_user_model().objects.get(username="admin").is_superuser


def test_demo_prints_a_random_password_that_works(db, settings, capsys):
    settings.DEBUG = True
    call_command("demo")
    password = capsys.readouterr().out.rsplit(":", 1)[1].strip()
    assert len(password) >= 10
    assert get_user_model().objects.get(username="editor1").check_password(password)


def test_demo_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo", password="x")
    assert not Project.objects.exists()
