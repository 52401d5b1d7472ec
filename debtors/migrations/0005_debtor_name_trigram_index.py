"""A trigram index on the debtors' names, for the searches by part of a name (the case list's
search box: ``debtor__name__icontains``, which PostgreSQL runs as UPPER(name) LIKE '%...%').
Without it a search reads every debtor of the creditor (bench/portal.py).

Written as SQL, as the bank's matching indexes are: Django's ``OpClass`` around ``Upper``
puts the operator class inside the expression's parentheses, which PostgreSQL refuses.
pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("debtors", "0004_national_id_lookups"),
    ]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS debtor_name_trigram "
            "ON debtors_debtor USING gin (UPPER(name) gin_trgm_ops)",
            "DROP INDEX IF EXISTS debtor_name_trigram",
        ),
    ]
