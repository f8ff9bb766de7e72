"""Help, legal and transparency pages (mounted at the site root)."""

from django.urls import path

from catalog import pages

app_name = "pages"
urlpatterns = [
    path("help/", pages.help_index, name="help"),
    path("help/<slug:slug>/", pages.help_page, name="help_page"),
    path("legal/<slug:slug>/", pages.legal_page, name="legal"),
    path("contact/", pages.contact, name="contact"),
    path("how-offers-are-ranked/", pages.how_offers_are_ranked, name="how_offers_are_ranked"),
    path("how-reviews-work/", pages.how_reviews_work, name="how_reviews_work"),
]
