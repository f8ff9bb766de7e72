"""Listing imports survive malformed files: a clear 4xx problem naming what is wrong, and nothing saved.

Each file is sent to the API (`text/csv`, or JSON) and, for the CSV ones, uploaded through the back-office
form. A good row sits in every broken file, so "nothing saved" means the whole file was refused.
"""

from __future__ import annotations

import codecs
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Listing
from sellers.imports import MAX_BYTES, MAX_ROWS
from tests.factories import MembershipFactory
from tests.factories.catalog import VariantFactory
from tests.factories.sellers import SellerFactory

pytestmark = pytest.mark.django_db

HEADER = "sku,variant,grade,market,price,stock,battery_health,warranty_months,status"


def good(variant_id: int, sku: str = "GOOD-1") -> str:
    return f"{sku},{variant_id},excellent,fr,429.00,3,91,12,active"


def malformed_csv_files(variant_id: int) -> dict[str, tuple[bytes, str]]:
    """name -> (file bytes, a phrase the problem must contain)."""
    ok = good(variant_id)

    def line(sku: str, *, variant: object = variant_id, stock: str = "1") -> str:
        return f"{sku},{variant},good,fr,1,{stock},85,12,active"

    def csv_file(*rows: str, header: str = HEADER) -> str:
        return "\n".join([header, ok, *rows]) + "\n"

    many = "\n".join(good(variant_id, f"R-{n}") for n in range(MAX_ROWS + 1))
    return {
        "latin-1 encoded": (csv_file(line("CAFÉ-1")).encode("latin-1"), "UTF-8"),
        "utf-16 without a BOM": (csv_file().encode("utf-16-le"), "binary data"),
        "binary data": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary data"),
        "a NUL byte in a cell": (csv_file(line("NUL\x00")).encode(), "binary data"),
        "empty": (b"", "empty"),
        "only a BOM": (codecs.BOM_UTF8, "empty"),
        "header only": (f"{HEADER}\n".encode(), "no rows"),
        "missing columns": (b"sku,variant,grade\nA,1,good\n", "missing columns: market, price, stock, battery_health"),
        "an unknown column": (f"{HEADER},colour\n{ok},red\n".encode(), "unknown columns: colour"),
        "a column twice": (f"{HEADER},sku\n{ok},X\n".encode(), "names a column twice: sku"),
        "more cells than columns": (f"{HEADER}\n{ok},extra,cells\n".encode(), "more cells than the header"),
        "a formula in a text cell": (csv_file(line('=HYPERLINK("http://evil")')).encode(), "formula"),
        "a formula starting with @": (csv_file(line("@SUM(A1)")).encode(), "formula"),
        "a huge cell": (csv_file(line("X" * 300)).encode(), "longer than 200"),
        "a cell beyond the CSV field limit": (csv_file(line('"' + "Y" * 200_000 + '"')).encode(), "not valid CSV"),
        "an unclosed quote": (csv_file(line('"OPEN')).encode(), "Row"),
        "words where numbers go": (csv_file(line("W-1", variant="abc", stock="one")).encode(), "not a whole number"),
        "too many rows": (f"{HEADER}\n{many}\n".encode(), f"at most {MAX_ROWS} rows"),
    }


@pytest.fixture
def seller_client(key_client):
    seller = SellerFactory()
    return seller, key_client(seller.organisation, ["listings:write"])


def test_every_malformed_csv_is_refused_through_the_api_with_a_problem_and_nothing_saved(seller_client):
    seller, client = seller_client
    variant = VariantFactory()
    files = malformed_csv_files(variant.pk)
    assert len(files) >= 15

    for name, (content, phrase) in files.items():
        response = client.generic("POST", "/api/v1/seller/listings/import/", content, content_type="text/csv")

        assert 400 <= response.status_code < 500, (name, response.status_code)
        assert response["Content-Type"] == "application/problem+json", name
        problem = response.json()
        shown = problem["detail"] + " " + " ".join(e["message"] for e in problem["errors"])
        assert phrase.lower() in shown.lower(), (name, shown)
    assert not Listing.objects.filter(seller=seller.organisation).exists()


def test_a_well_formed_file_in_utf16_with_a_bom_or_with_semicolons_imports(seller_client):
    seller, client = seller_client
    variant = VariantFactory()
    utf16 = f"{HEADER}\n{good(variant.pk, 'U16')}\n".encode("utf-16")
    semicolons = f"{HEADER}\n{good(variant.pk, 'SEMI')}\n".replace(",", ";").encode("utf-8-sig")

    for content in (utf16, semicolons):
        response = client.generic("POST", "/api/v1/seller/listings/import/", content, content_type="text/csv")
        assert response.status_code == 201, response.json()

    assert set(Listing.objects.filter(seller=seller.organisation).values_list("sku", flat=True)) == {"U16", "SEMI"}


def test_a_file_over_the_size_bound_is_refused_with_413_without_being_read_whole(seller_client):
    seller, client = seller_client
    content = (HEADER + "\n").encode() + b"x" * (MAX_BYTES + 10)

    response = client.generic("POST", "/api/v1/seller/listings/import/", content, content_type="text/csv")

    assert response.status_code == 413
    assert response.json()["type"].endswith("/file-too-large")
    assert not Listing.objects.filter(seller=seller.organisation).exists()


@pytest.mark.parametrize(
    ("body", "content_type", "status", "phrase"),
    [
        (b'{"sku": "A"}', "application/json", 400, "JSON array"),
        (b"[1, 2, 3]", "application/json", 400, "row 1"),
        (b'[{"sku": "A"', "application/json", 400, "JSON parse error"),
        (b"<listings><listing/></listings>", "application/xml", 415, "Unsupported media type"),
        (b"sku,variant\nA,1\n", "application/vnd.ms-excel", 415, "Unsupported media type"),
    ],
)
def test_wrong_json_or_a_wrong_content_type_is_a_clear_4xx(seller_client, body, content_type, status, phrase):
    seller, client = seller_client

    response = client.generic("POST", "/api/v1/seller/listings/import/", body, content_type=content_type)

    assert response.status_code == status
    problem = response.json()
    assert phrase.lower() in (problem["detail"] + json.dumps(problem["errors"])).lower()
    assert not Listing.objects.filter(seller=seller.organisation).exists()


def test_the_back_office_upload_shows_the_same_refusals_and_saves_nothing(client):
    seller = SellerFactory()
    client.force_login(MembershipFactory(organisation=seller.organisation, role="owner").user)
    variant = VariantFactory()
    files = malformed_csv_files(variant.pk)

    for name in ("latin-1 encoded", "binary data", "a formula in a text cell", "a cell beyond the CSV field limit"):
        content, phrase = files[name]
        upload = SimpleUploadedFile("listings.csv", content, content_type="text/csv")
        response = client.post("/seller/listings/import/", {"file": upload})

        assert response.status_code == 200, name
        assert phrase.lower() in response.content.decode().lower(), name
    assert not Listing.objects.filter(seller=seller.organisation).exists()


def test_an_export_never_hands_a_spreadsheet_a_formula(seller_client):
    from sellers.imports import spreadsheet_safe

    assert spreadsheet_safe("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert spreadsheet_safe("iPhone 13") == "iPhone 13"
