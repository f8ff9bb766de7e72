"""The storefront's home page at the site root, under its historical un-namespaced name `home`."""

from django.urls import path

from catalog import views

urlpatterns = [path("", views.home, name="home")]
