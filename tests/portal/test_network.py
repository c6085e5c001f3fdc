"""The client address used for login lock-outs, behind 0, 1 or 2 trusted proxies."""

import pytest
from django.test import RequestFactory

from portal.network import client_ip


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.2"),  # no trusted proxy: the header is the client's own
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "198.51.100.9, 203.0.113.5", "203.0.113.5"),  # forged left part ignored
        (2, "198.51.100.9, 203.0.113.5, 10.0.0.1", "203.0.113.5"),
        (1, "", "10.0.0.2"),  # not through the proxy
        (2, "203.0.113.5", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2"),
        (1, "../../x\u00b2", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address_behind_trusted_proxies(settings, count, forwarded, expected):
    settings.AXES_IPWARE_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
