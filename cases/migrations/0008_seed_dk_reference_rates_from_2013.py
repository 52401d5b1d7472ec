"""Seed Denmark's reference rates back to 2013 (the profile now reaches 2013-01-01), so an
old claim handed over today gets its interest. The earlier rates are stored unverified, for
staff to check against Nationalbanken; existing rows are left alone."""

from django.db import migrations


def seed(apps, schema_editor):
    from cases.rules.profiles import DEFAULT_DK_RATES

    ReferenceRate = apps.get_model("cases", "ReferenceRate")
    for valid_from, rate, verified in DEFAULT_DK_RATES:
        ReferenceRate.objects.get_or_create(
            jurisdiction="DK",
            valid_from=valid_from,
            defaults={
                "rate": rate,
                "verified": verified,
                "source": "Nationalbanken's lending rate as recorded by the project; unverified"
                if not verified
                else "renteloven § 5: morarente table less the 8-point margin",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_documents")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
