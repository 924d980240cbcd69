"""The reports app's pages: report runs in ``runs``, duplicate-purchase reviews in ``review``."""
