"""The cases app's models are a package, one module per subject, every model re-exported by
``cases.models``, and every import at the top of its module."""

import ast
from pathlib import Path

from django.apps import apps

import cases.models

PACKAGE = Path(cases.models.__file__).parent


def test_every_model_of_the_app_is_re_exported():
    for model in apps.get_app_config("cases").get_models():
        assert getattr(cases.models, model.__name__) is model, model
        assert model.__name__ in cases.models.__all__


def test_no_module_imports_in_the_middle():
    for path in sorted(PACKAGE.glob("*.py")):
        body = ast.parse(path.read_text()).body
        seen_code = False
        for node in body:
            is_import = isinstance(node, ast.Import | ast.ImportFrom)
            is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            if is_import:
                assert not seen_code, f"{path.name}:{node.lineno}"
            elif not is_docstring:
                seen_code = True


def test_the_documents_path_stays_where_migration_0007_finds_it():
    from cases.models_documents import case_document_path

    assert case_document_path is cases.models.CaseDocument._meta.get_field("file").upload_to
