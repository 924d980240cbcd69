"""URLs of the instruments manage pages."""

urlpatterns = []
