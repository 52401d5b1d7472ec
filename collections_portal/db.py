"""Small database expressions shared by the apps (and referenced by their migrations)."""

from django.db import models


class NextVal(models.Func):
    """``nextval('<sequence>')``: a database default that numbers rows without a round trip."""

    function = "nextval"
    output_field = models.BigIntegerField()

    def __init__(self, sequence: str):
        super().__init__(models.Value(sequence))


class LocalMonth(models.Func):
    """The first day of a timestamp's calendar month in the portal's time zone (Copenhagen):
    immutable, so a generated column may hold it."""

    template = "(DATE_TRUNC('month', %(expressions)s AT TIME ZONE 'Europe/Copenhagen'))::date"
    output_field = models.DateField()
