"""Small database expressions shared by the apps (and referenced by their migrations)."""

from django.db import models


class NextVal(models.Func):
    """``nextval('<sequence>')``: a database default that numbers rows without a round trip."""

    function = "nextval"
    output_field = models.BigIntegerField()

    def __init__(self, sequence: str):
        super().__init__(models.Value(sequence))
