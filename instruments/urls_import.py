"""URLs of the instruments import pages."""

urlpatterns = []
