class CaseError(Exception):
    """A case operation refused by the rules; the message says why, for a person to read."""
