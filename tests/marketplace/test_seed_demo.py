import pytest
from django.apps import apps
from django.core.management import call_command

from marketplace.models import Market, User
from marketplace.seed import demo_logins


def _counts() -> dict[str, int]:
    local = ("marketplace", "sellers", "catalog", "orders", "warranty", "tradein")
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in local and model._meta.managed and not model._meta.label.endswith("IdempotencyKey")
    }


@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows():
    call_command("seed_demo", "--quiet-logins")
    first = _counts()

    call_command("seed_demo", "--quiet-logins")

    assert _counts() == first
    emails = set(User.objects.values_list("email", flat=True))
    assert {email for email, _ in demo_logins()} <= emails  # every login `make run` prints exists
    assert first["sellers.Seller"] == 11  # 2 kernel demo sellers + one per lifecycle state and score step
    assert first["catalog.Listing"] > 10_000


@pytest.mark.django_db
def test_markets_are_the_eight_of_the_rulebook():
    markets = {m.code: (m.currency, m.language, m.time_zone) for m in Market.objects.all()}

    assert markets == {
        "fr": ("EUR", "fr", "Europe/Paris"),
        "de": ("EUR", "de", "Europe/Berlin"),
        "es": ("EUR", "es", "Europe/Madrid"),
        "it": ("EUR", "it", "Europe/Rome"),
        "be": ("EUR", "fr", "Europe/Brussels"),
        "gb": ("GBP", "en", "Europe/London"),
        "us": ("USD", "en", "America/New_York"),
        "jp": ("JPY", "ja", "Asia/Tokyo"),
    }


@pytest.mark.django_db
def test_create_api_key_command_prints_a_working_key(capsys, api_client, partner_org):
    call_command("create_api_key", "--org", partner_org.slug, "--scopes", "catalog:read,orders:write")
    raw_key = capsys.readouterr().out.strip()

    assert raw_key.startswith("enc_")
    response = api_client.get("/api/v1/markets/", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert response.status_code == 200


@pytest.mark.django_db
def test_create_api_key_command_refuses_unknown_organisations_and_scopes(partner_org):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No organisation"):
        call_command("create_api_key", "--org", "nope", "--scopes", "catalog:read")
    with pytest.raises(CommandError, match="Unknown scopes: admin"):
        call_command("create_api_key", "--org", partner_org.slug, "--scopes", "admin")
