"""Admin for platform staff: product models and their photos (uploaded here, thumbnails made on save)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from catalog.models import Product, ProductImage, SellerStanding
from catalog.services.images import image_check, product_image_render
from catalog.templatetags.pictures import picture_html
from catalog.versioning import catalog_changed
from marketplace.errors import ApplicationError


class ProductImageForm(forms.ModelForm[ProductImage]):
    class Meta:
        model = ProductImage
        fields = ("image", "variant", "alt_text", "position")

    def clean_image(self) -> Any:
        upload = self.cleaned_data.get("image")
        if isinstance(upload, UploadedFile):  # a new file (not the one already stored)
            try:
                image_check(upload, name=upload.name or "photo")
            except ApplicationError as error:
                raise forms.ValidationError(error.message) from error
        return upload


class ProductImageInline(admin.TabularInline[ProductImage, Product]):
    model = ProductImage
    form = ProductImageForm
    extra = 1
    fields = ("preview", "image", "variant", "alt_text", "position")
    readonly_fields = ("preview",)

    @admin.display(description=_("thumbnail"))
    def preview(self, obj: ProductImage) -> str:
        if not obj.pk or not obj.renditions:
            return "—"
        return format_html(
            "{}", picture_html(obj.renditions, alt=obj.alt_text, width=0, height=0, sizes="96px", css_class="")
        )

    def get_formset(self, request: HttpRequest, obj: Product | None = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            formset.form.base_fields["variant"].queryset = obj.variants.all()
        return formset


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ("name", "brand", "category", "release_year", "photos")
    list_filter = ("category", "brand")
    search_fields = ("name", "series", "slug")
    list_select_related = ("brand", "category")
    readonly_fields = ("slug", "created_at")
    fields = ("name", "slug", "brand", "category", "series", "release_year", "specs", "launch_prices", "created_at")
    inlines = (ProductImageInline,)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(photo_count=Count("images"))

    @admin.display(description=_("photos"), ordering="photo_count")
    def photos(self, obj: Product) -> int:
        return getattr(obj, "photo_count", 0)

    def save_model(self, request: HttpRequest, obj: Product, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        catalog_changed()  # its name, specs or prices show on every page and cached read of it

    def delete_model(self, request: HttpRequest, obj: Product) -> None:
        super().delete_model(request, obj)
        catalog_changed()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        super().delete_queryset(request, queryset)
        catalog_changed()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        if formset.model is ProductImage:
            # Thumbnails for each new or replaced photo, once the rows are saved.
            changed = [f.instance for f in formset.forms if f.instance.pk and "image" in f.changed_data]
            for picture in changed:
                transaction.on_commit(lambda picture=picture: product_image_render(picture=picture))


@admin.register(SellerStanding)
class SellerStandingAdmin(admin.ModelAdmin[SellerStanding]):
    """What the catalog knows of each seller. Staff set the handling time (the delivery estimate on its
    offers starts there); the rest is kept by the sellers and warranty apps and is read-only here."""

    list_display = ("organisation", "may_sell", "score", "handling_days", "rating_count", "units_delivered")
    list_editable = ("handling_days",)
    list_select_related = ("organisation",)
    search_fields = ("organisation__name", "organisation__slug")
    fields = ("organisation", "handling_days", "may_sell", "score", "rating_count", "rating_sum", "units_delivered")
    readonly_fields = ("organisation", "may_sell", "score", "rating_count", "rating_sum", "units_delivered")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a standing is born with its seller (sellers app)

    def has_delete_permission(self, request: HttpRequest, obj: SellerStanding | None = None) -> bool:
        return False
