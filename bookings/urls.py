"""URLs of the bookings pages."""

app_name = "bookings"

urlpatterns = []
