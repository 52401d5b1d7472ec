"""A large case-list export's page: its progress (htmx polls a small partial while it is queued
or running) and then its download, served only here, where the job is looked up in the tenant's
scope (another creditor's export is 404); stored exports are never under a served URL."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from collections_portal.decorators import tenant_view
from integrations.jobs import UNFINISHED, JobStatus

from .exports import export_filename
from .models import CaseExport


def _context(job: CaseExport) -> dict:
    total = job.units_total or 0
    return {
        "export": job,
        "running": job.status in UNFINISHED,
        "percent": round(100 * job.units_done / total) if total else 0,
        "filename": export_filename(job),
    }


@require_safe
@tenant_view
def case_export_detail(request, export_id):
    job = get_object_or_404(CaseExport, public_id=export_id)
    return render(request, "cases/export_detail.html", _context(job))


@require_safe
@tenant_view
def case_export_progress(request, export_id):
    job = get_object_or_404(CaseExport, public_id=export_id)
    return render(request, "cases/_export_progress.html", _context(job))


@require_safe
@tenant_view
def case_export_download(request, export_id):
    job = get_object_or_404(CaseExport, public_id=export_id)
    if job.status != JobStatus.FINISHED or not job.file:  # not written (yet): its page says
        return redirect("case_export_detail", export_id=job.public_id)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=export_filename(job))
