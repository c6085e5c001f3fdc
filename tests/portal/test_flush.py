"""After a transactional test the database is as the migrations left it, for the next test."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from guidance.models import ChecklistTemplate
from partners.models import Theme
from portal.models import User
from support.models import Programme
from tests.factories import UserFactory


def counts() -> dict[str, int]:
    models = (ContentType, Permission, Theme, ChecklistTemplate, Programme, User)
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db(transaction=True)
def test_a_flush_on_postgresql_puts_back_what_the_migrations_left_and_nothing_else():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite empties every table; tests/conftest.py loads the fixed lists again")
    before = counts()
    assert before["Theme"] and before["ChecklistTemplate"] and before["Programme"]
    label = Theme.objects.order_by("pk").first().label
    Theme.objects.update(label="書き換えた名称")
    UserFactory()
    # As pytest-django flushes after a transactional test.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert counts() == before
    assert Theme.objects.order_by("pk").first().label == label


@pytest.mark.django_db(transaction=True)
def test_manage_py_flush_on_postgresql_also_puts_the_sequences_back_past_the_restored_rows():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite empties every table; tests/conftest.py loads the fixed lists again")
    before = counts()
    UserFactory.create_batch(3)
    call_command("flush", interactive=False, verbosity=0)  # resets sequences
    assert counts() == before
    theme = Theme.objects.create(code="flush-check", label="確認", position=99)
    assert theme.pk > Theme.objects.exclude(pk=theme.pk).order_by("-pk").first().pk
    first_user = UserFactory()
    assert first_user.pk == 1
