"""Storefront pages of the catalog (mounted at the site root)."""

app_name = "catalog"
urlpatterns: list = []
