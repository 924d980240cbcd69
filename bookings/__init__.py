"""Booking requests, approval, availability, outages and service records."""
