"""The reports app's pages (report runs in ``runs``)."""
