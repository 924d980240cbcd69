"""URLs of the instruments catalogue pages."""

urlpatterns = []
