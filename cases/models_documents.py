"""Kept because migration 0007 names ``cases.models_documents.case_document_path`` (the
model lives in ``cases.models.documents``)."""

from cases.models.documents import CaseDocument, case_document_path

__all__ = ["CaseDocument", "case_document_path"]
