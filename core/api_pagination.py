"""The API's page numbers: ``?page=`` with no number is refused (404, as DRF answers any invalid
page), not read as page 1, so every list answers what its schema (``page``: integer) says."""

from rest_framework.pagination import PageNumberPagination


class StrictPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is None:
            return 1
        if value in self.last_page_strings:
            return paginator.num_pages
        return value  # Django's paginator refuses '' or 'x' (InvalidPage → 404)
