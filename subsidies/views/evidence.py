"""Evidence files, served only to those who may see the application (never from MEDIA_URL)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from ..models import Evidence
from ..selectors import application_get_for_viewer


@login_required
@require_GET
def evidence_file(request, pk):
    """The file inline, as the content type its bytes were checked to be (PDF, PNG or JPEG)."""
    evidence = get_object_or_404(Evidence, pk=pk)
    application_get_for_viewer(user=request.user, pk=evidence.application_id)  # 404 when not yours
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as err:
        raise Http404 from err
    response = FileResponse(handle, content_type=evidence.content_type, as_attachment=False)
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quoted(evidence.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _quoted(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
