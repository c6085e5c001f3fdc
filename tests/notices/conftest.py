"""A consortium with a promoter and a member (each with a manager), a real SMTP server, and
Celery running its tasks in this process the way a worker would."""

import socket

import pytest
from django.apps import apps

from guidance import services as guidance_services
from guidance.models import ConsortiumForm, MemberRole
from guidance.reference import sync_reference_data
from tests.factories import CorporationFactory, UserFactory


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server on 127.0.0.1 (a free port), Django's SMTP backend pointed at it."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.PORTAL_BASE_URL = "https://kyodo.example.jp"
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def worker_in_process(monkeypatch):
    """Tasks enqueued on commit run at once in this process (the worker's code path)."""
    from portal.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)
    return app


@pytest.fixture
def circle(db, staff):
    sync_reference_data(apps)
    promoter, member = CorporationFactory(), CorporationFactory()
    consortium = guidance_services.consortium_create(
        values={"name": "北信介護人材ネットワーク", "form": ConsortiumForm.LOOSE},
        members=[(promoter, MemberRole.PROMOTER), (member, MemberRole.MEMBER)],
        by=staff,
    )
    return {
        "consortium": consortium,
        "promoter": UserFactory(
            manager=True, corporation_number=promoter.number, full_name="推進 一郎"
        ),
        "member": UserFactory(
            manager=True, corporation_number=member.number, full_name="参加 花子"
        ),
        "promoter_corp": promoter,
        "member_corp": member,
    }
