"""Duplicate-purchase reviews: the form, the result and its printable record."""

from django.urls import path

from .views import review

urlpatterns = [
    path("", review.review_new, name="review_new"),
    path("<int:pk>/", review.review_detail, name="review_detail"),
]
