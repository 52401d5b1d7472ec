"""The import job on the shared job runner (integrations/jobs.py): its progress counts units
(rows), and the help texts are the runner's. A rename keeps every job's progress."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0002_job_attempts_heartbeat"),
    ]

    operations = [
        migrations.RenameField(model_name="importjob", old_name="rows_total", new_name="units_total"),
        migrations.RenameField(model_name="importjob", old_name="rows_done", new_name="units_done"),
        migrations.AlterField(
            model_name="importjob",
            name="units_done",
            field=models.PositiveIntegerField(default=0, verbose_name="units done"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="units_total",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="units"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="runs"),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last sign of life"),
        ),
    ]
