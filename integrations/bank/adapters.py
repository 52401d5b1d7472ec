"""The interface a bank connection uses to push files into the portal.

A connection to a bank (an EBICS client, a bank's SFTP drop, an aggregator's webhook) fetches
camt.053/camt.054 or CSV files however its bank delivers them and hands each one to
:meth:`BankConnection.push`, which goes through the same service as an upload in the portal
or the API: a file seen before is refused (:class:`~integrations.bank.services.BankFileError`,
code ``duplicate_file``), anything else is stored and read by the Celery task.

    class NordeaSftp(BankConnection):
        name = "nordea-sftp"

        def fetch(self):
            for path in sftp.listdir("/out"):
                yield path, sftp.read(path)

    NordeaSftp().run()
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from .models import BankFile
from .services import BankFileError, bank_file_receive

logger = logging.getLogger(__name__)


class BankConnection:
    """Base class of a bank connection: override ``name`` and ``fetch``."""

    name = "bank-connection"

    def fetch(self) -> Iterable[tuple[str, bytes]]:
        """The files waiting at the bank, as (file name, content)."""
        raise NotImplementedError

    def push(self, *, name: str, data: bytes) -> BankFile | None:
        """Hand one file in; None when it was received before (nothing is booked twice)."""
        try:
            return bank_file_receive(data=data, name=name, source=self.name)
        except BankFileError as exc:
            if exc.code == "duplicate_file":
                logger.info("%s: %s was received before", self.name, name)
                return None
            raise

    def acknowledge(self, name: str) -> None:
        """Called after a file was taken (or known already): the connection may remove it."""

    def run(self) -> list[BankFile]:
        received = []
        for name, data in self.fetch():
            bank_file = self.push(name=name, data=data)
            if bank_file is not None:
                received.append(bank_file)
            self.acknowledge(name)
        return received
