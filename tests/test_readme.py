"""What the README tells a newcomer to do works as it says."""

import re
import subprocess
from pathlib import Path

from django.urls import reverse

from .conftest import client_for

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_readme_says_how_to_choose_the_port_of_make_run_and_make_does_it():
    # HOST was only in the Makefile.
    [host] = re.findall(r"`make run HOST=([\d.]+:\d+)`", README)
    commands = subprocess.run(
        ["make", "-n", "run", f"HOST={host}"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert f"manage.py runserver {host}" in commands.stdout


def test_the_readme_tells_who_can_set_a_password_and_a_manager_cannot(manager, annotator):
    # It said "a manager or staff sets a new password": a manager can reach no page that does.
    assert "A manager cannot set anyone's password" in README and "manage.py changepassword USERNAME" in README
    url = reverse("admin:auth_user_password_change", args=[annotator.pk])
    assert client_for(manager).get(url).status_code == 302  # to the admin's login: managers are not staff
