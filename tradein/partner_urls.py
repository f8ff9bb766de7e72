"""Trade-in in the partner back-office (mounted at /partner/trade-in/)."""

from django.urls import path

from tradein import partner_views

app_name = "tradein_partner"
urlpatterns = [
    path("", partner_views.index, name="index"),
    path("details/", partner_views.details, name="details"),
    path("batches/new/", partner_views.batch_new, name="batch_new"),
    path("batches/template.csv", partner_views.template_csv, name="template_csv"),
    path("batches/<int:pk>/", partner_views.batch_detail, name="batch"),
    path("batches/<int:pk>/accept/", partner_views.batch_accept_view, name="batch_accept"),
    path("batches/<int:pk>/counter-offers/", partner_views.batch_counter_offers_view, name="batch_counter_offers"),
    path("batches/<int:pk>/labels.pdf", partner_views.batch_labels, name="batch_labels"),
    path("batches/<int:pk>/report.pdf", partner_views.batch_report, name="batch_report"),
    path("batches/<int:pk>/credit-note.pdf", partner_views.batch_credit_note, name="batch_credit_note"),
    path("batches/<int:pk>/certificates.zip", partner_views.batch_certificates, name="batch_certificates"),
    path("batches/<int:pk>/devices.csv", partner_views.batch_devices_csv, name="batch_devices_csv"),
]
