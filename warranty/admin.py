from django.contrib import admin

from warranty.models import Warranty


@admin.register(Warranty)
class WarrantyAdmin(admin.ModelAdmin):
    list_display = ("identifier", "seller", "months", "starts_on", "ends_on")
    search_fields = ("identifier",)
    list_select_related = ("seller",)
    readonly_fields = ("unit", "line", "seller", "shopper", "identifier", "months", "starts_on", "ends_on")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
