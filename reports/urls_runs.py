"""Report runs: the list, the start form, a run with its progress, charts, comparison and exports."""

urlpatterns = []
