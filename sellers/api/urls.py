"""Seller endpoints under /api/v1/seller/."""

urlpatterns: list = []
