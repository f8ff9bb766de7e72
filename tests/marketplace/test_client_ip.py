"""The client's address for rate limits: X-Forwarded-For counts only as far as our own proxies wrote it."""

import pytest
from django.test import RequestFactory

from marketplace.clientip import client_ip


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.7", "10.0.0.9"),  # no proxy of ours: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),  # one load balancer appended the client it saw
        (1, "1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client wrote 1.2.3.4 itself: ignored
        (2, "1.2.3.4, 203.0.113.7, 10.1.1.1", "203.0.113.7"),  # CDN then ingress
        (2, "203.0.113.7", "10.0.0.9"),  # fewer hops than our proxies: not through them all
        (1, "not-an-address", "10.0.0.9"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_counted_from_the_right_by_our_own_proxies(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", **extra)

    assert client_ip(request) == expected


@pytest.mark.django_db
def test_rotating_x_forwarded_for_does_not_reset_the_anonymous_api_budget(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
    settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"api_key": "1200/min", "anonymous": "3/min"}
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        statuses = [
            client.get("/api/v1/grades/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7").status_code
            for n in range(5)
        ]
    finally:
        api_settings.reload()

    assert statuses == [200, 200, 200, 429, 429]
