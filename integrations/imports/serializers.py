"""What the API shows of import jobs and their rejected rows."""

from django.urls import reverse
from rest_framework import serializers

from .models import ImportJob, ImportRejection


class ImportJobSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    file_name = serializers.CharField(source="original_name", read_only=True)
    # The API keeps its row names; the job runner counts units (here a unit is a row).
    rows_total = serializers.IntegerField(source="units_total", read_only=True, allow_null=True)
    rows_done = serializers.IntegerField(source="units_done", read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "format",
            "file_name",
            "file_sha256",
            "group_per_debtor",
            "rows_total",
            "rows_done",
            "rows_accepted",
            "rows_rejected",
            "rows_duplicate",
            "cases_created",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "links",
        ]
        read_only_fields = fields

    def get_links(self, job: ImportJob) -> dict[str, str]:
        request = self.context.get("request")

        def url(name: str) -> str:
            path = reverse(name, kwargs={"public_id": job.public_id})
            return request.build_absolute_uri(path) if request else path

        return {
            "self": url("import-detail"),
            "rejections": url("import-rejections"),
            "rejections_csv": url("import-rejections-csv"),
            "cases": url("import-cases"),
        }


class ImportRejectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRejection
        fields = ["line", "field", "code", "reason", "invoice_number"]
        read_only_fields = fields


class ImportedCaseSerializer(serializers.Serializer):
    case_number = serializers.IntegerField(source="number")
    payment_id = serializers.CharField()
    state = serializers.CharField()
    creditor_reference = serializers.CharField()
