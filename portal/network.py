"""The client's address behind the reverse proxies the deployment trusts (for login lock-outs)."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """Each trusted proxy appends the address that connected to it to X-Forwarded-For, so the
    client is the entry AXES_PROXY_COUNT places from the right; anything further left was sent by
    the client itself and is ignored. With no trusted proxy the header is ignored altogether.

    django-axes calls this (AXES_CLIENT_IP_CALLABLE) because django-ipware is not installed.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = int(getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < count:
        return remote  # not through the expected proxies
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote
