from django.urls import path

from warranty import views

app_name = "warranty"
urlpatterns = [path("account/warranties/", views.account_warranties, name="account_warranties")]
