"""`manage.py create_api_key --org <slug> --scopes a,b [--name N]`: prints the key once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from marketplace.actors import Actor
from marketplace.errors import ApplicationError
from marketplace.models import Organisation, Scope
from marketplace.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for an organisation and print it (it is never shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organisation slug")
        parser.add_argument("--scopes", required=True, help=f"comma-separated: {', '.join(Scope.values)}")
        parser.add_argument("--name", default="CLI key")

    def handle(self, *args: Any, org: str, scopes: str, name: str, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {org!r}.")
        try:
            _, raw_key = api_key_create(
                organisation=organisation,
                name=name,
                scopes=[s.strip() for s in scopes.split(",") if s.strip()],
                actor=Actor.system("manage.py create_api_key"),
            )
        except ApplicationError as error:
            raise CommandError(error.message) from None
        self.stdout.write(raw_key)
