"""Indexes the matching needs on other apps' tables: a case by the creditor's reference (a word
of a payment's text), a debtor by name regardless of case (suggestions). Without them each
such look-up reads every case or debtor; kept here, beside the code that needs them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bank", "0001_initial"),
        ("cases", "0001_initial"),
        ("debtors", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS bank_match_case_creditor_reference "
            "ON cases_case (creditor_reference)",
            "DROP INDEX IF EXISTS bank_match_case_creditor_reference",
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS bank_match_debtor_name ON debtors_debtor (UPPER(name))",
            "DROP INDEX IF EXISTS bank_match_debtor_name",
        ),
    ]
