"""Workshop admin: the quality check's item lists per category are data staff keep; units and flags are
read here (their changes go through the services: the board, the console)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from workshop.models import CheckItem, IdentifierFlag, Unit


@admin.register(CheckItem)
class CheckItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "position")
    list_filter = ("category",)
    ordering = ("category", "position")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("reference", "identifier", "seller", "status", "source", "received_at")
    list_filter = ("status", "source")
    search_fields = ("identifier",)
    list_select_related = ("seller",)


@admin.register(IdentifierFlag)
class IdentifierFlagAdmin(ReadOnlyAdmin):
    list_display = ("identifier", "reason", "seller", "other_seller", "created_at", "resolved_at")
    list_filter = ("reason",)
    search_fields = ("identifier",)
