"""Seed Denmark's reference rates from the DK profile's defaults (renteloven § 5's table).

Rates the rules mark *unverified* are stored unverified, and shown as such in the admin, until
staff check them against Nationalbanken. Existing rows are left alone.
"""

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
                "source": "renteloven § 5: morarente table less the 8-point margin",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_claims_ledger_payments_rates")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
