"""Success console pages (mounted at /console/)."""

from django.urls import path

from sellers import audit_views, console_performance_views, console_views, views

app_name = "console"
urlpatterns = [
    path("", console_views.dashboard, name="dashboard"),
    path("sellers/", console_performance_views.seller_search, name="sellers"),
    path("sellers/<int:pk>/", console_views.seller_review, name="seller"),
    path("sellers/<int:pk>/decide/", console_views.seller_decide_view, name="seller_decide"),
    path("sellers/<int:pk>/terminate/", console_performance_views.seller_terminate_confirm, name="seller_terminate"),
    path("sellers/<int:pk>/score/", console_performance_views.seller_score, name="seller_score"),
    path("sellers/<int:pk>/measures/", console_performance_views.seller_measures, name="seller_measures"),
    path("sellers/<int:pk>/cap/lift/", console_performance_views.seller_cap_lift, name="seller_cap_lift"),
    path("scoring/run/", console_performance_views.sellers_score_all, name="score_all"),
    path("score-formula/", console_performance_views.score_formula, name="score_formula"),
    path("audits/", audit_views.audit_list, name="audits"),
    path("audits/<int:pk>/", audit_views.audit_detail, name="audit"),
    path("audits/<int:pk>/order/", audit_views.audit_order, name="audit_order"),
    path("audits/<int:pk>/cancel/", audit_views.audit_cancel_view, name="audit_cancel"),
    path("audits/<int:pk>/findings/", audit_views.audit_findings, name="audit_findings"),
    path("audits/photos/<int:pk>/", audit_views.audit_photo, name="audit_photo"),
    path("documents/<int:pk>/", views.document, name="document"),
]
