"""URLs of the subsidies pages."""

from django.urls import path

from . import views

app_name = "subsidies"

urlpatterns = [
    path("subsidies/", views.index, name="index"),
    path("subsidies/notice/", views.notice, name="notice"),
    path("subsidies/provider/", views.provider_queue, name="provider_queue"),
    path("subsidies/programmes/<int:pk>/apply/", views.apply, name="apply"),
    path("subsidies/programmes/<int:pk>/statement/<int:unit_pk>/", views.statement, name="statement"),
    path("subsidies/applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("subsidies/applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("subsidies/applications/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path(
        "subsidies/applications/<int:pk>/<slug:action>/",
        views.application_action,
        name="application_action",
    ),
    path("subsidies/evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("subsidies/evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("subsidies/lines/<int:pk>/<slug:action>/", views.line_action, name="line_action"),
    path("subsidies/programmes/<int:pk>/voucher/", views.voucher_apply, name="voucher_apply"),
    path("subsidies/vouchers/", views.voucher_list, name="voucher_list"),
    path("subsidies/vouchers/<int:pk>/", views.voucher_detail, name="voucher_detail"),
    path("subsidies/redemptions/", views.redemption_list, name="redemption_list"),
    path("subsidies/redemptions/new/", views.redemption_create, name="redemption_create"),
    path("subsidies/redemptions/<int:pk>/", views.redemption_detail, name="redemption_detail"),
    path("subsidies/redemptions/<int:pk>/submit/", views.redemption_submit, name="redemption_submit"),
]
