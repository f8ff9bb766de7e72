"""Team invitations (mounted at /invitations/): the link a person receives by e-mail, un-namespaced."""

from django.urls import path

from sellers import views

urlpatterns = [path("<str:token>/", views.invitation, name="invitation_accept")]
