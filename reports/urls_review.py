"""Duplicate-purchase reviews: the form, the result and its printable record."""

urlpatterns = []
