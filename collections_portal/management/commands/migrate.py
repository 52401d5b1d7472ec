"""``migrate`` as the database owner.

The application connects as a role that owns nothing (DATABASE_URL); schema changes need the
owner (DATABASE_OWNER_URL). This replaces Django's ``migrate`` so every way of running it
(scripts/setup, the Docker command, a deployment's release step) connects as the owner,
without a second set of settings. After the migrations, post_migrate re-applies the roles
(collections_portal.dbroles).
"""

from django.core.management.commands.migrate import Command as DjangoMigrate

from collections_portal.dbroles import as_owner


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Connects as the database owner (DATABASE_OWNER_URL)."

    def handle(self, *args, **options):
        with as_owner(options["database"]):
            return super().handle(*args, **options)
