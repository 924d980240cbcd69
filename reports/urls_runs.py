"""Report runs: the list, the start form, a run with its progress, charts, comparison and exports."""

from django.urls import path

from .views import runs

urlpatterns = [
    path("", runs.runs, name="runs"),
    path("<int:pk>/", runs.run_detail, name="run_detail"),
    path("<int:pk>/progress/", runs.run_progress, name="run_progress"),
    path("<int:pk>/compare/", runs.run_compare_start, name="run_compare_start"),
    path("<int:pk>/compare/<int:other_pk>/", runs.run_compare, name="run_compare"),
    path("<int:pk>/export.csv", runs.run_export_csv, name="run_export_csv"),
    path("<int:pk>/export.xlsx", runs.run_export_xlsx, name="run_export_xlsx"),
    path("<int:pk>/file/", runs.run_file, name="run_file"),
]
