"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 (a free port), keeping what it is handed."""

import socket
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    """An aiosmtpd handler keeping every message it is handed."""

    def __init__(self):
        self.messages = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"

    def by_recipient(self) -> dict[tuple[str, ...], EmailMessage]:
        return {
            tuple(envelope.rcpt_tos): message_from_bytes(envelope.content, policy=policy.default)
            for envelope in self.messages
        }


@contextmanager
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
