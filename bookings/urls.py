"""URLs of the bookings pages."""

from django.urls import path

from . import views

app_name = "bookings"


def bookings_urlpatterns(*, booking_panels=(), service_record_panels=()):
    """The bookings pages; the site adds the apps' panels to the booking page (``panel(request,
    instrument, proposal)``) and to a service record's page (``panel(request, record)``)."""
    return [
        path("instruments/<int:pk>/book/", views.calendar, {"panels": tuple(booking_panels)}, name="calendar"),
        path("instruments/<int:pk>/outages/", views.outages, name="outages"),
        path("outages/<int:pk>/withdraw/", views.outage_withdraw, name="outage_withdraw"),
        path("bookings/", views.my_bookings, name="my_bookings"),
        path("bookings/requests/", views.requests_queue, name="requests"),
        path("bookings/<int:pk>/", views.detail, name="detail"),
        path("bookings/<int:pk>/decide/", views.decide, name="decide"),
        path("bookings/<int:pk>/cancel/", views.cancel, name="cancel"),
        path("bookings/<int:pk>/<slug:action>/", views.booking_action, name="action"),
        path("service-records/", views.record_list, name="record_list"),
        path("service-records/new/", views.record_create, name="record_create"),
        path("service-records/import/", views.record_import, name="record_import"),
        path("service-records/import/template.csv", views.record_import_template, name="record_import_template"),
        path("service-records/import/<int:pk>/", views.record_import_review, name="record_import_review"),
        path(
            "service-records/import/<int:pk>/status/", views.records.record_import_status, name="record_import_status"
        ),
        path(
            "service-records/<int:pk>/",
            views.record_detail,
            {"panels": tuple(service_record_panels)},
            name="record_detail",
        ),
        path("service-records/<int:pk>/paid/", views.record_mark_paid, name="record_mark_paid"),
        path("service-records/<int:pk>/amount/", views.record_correct_amount, name="record_correct_amount"),
        path("calendar-feeds/", views.feeds, name="feeds"),
        path("calendar-feeds/<str:token>/bookings.ics", views.feed_user, name="feed_user"),
        path("calendar-feeds/<str:token>/instruments/<int:pk>.ics", views.feed_instrument, name="feed_instrument"),
    ]


urlpatterns = bookings_urlpatterns()
