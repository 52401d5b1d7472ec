"""Paper letters: notices join the creditor's open print batch, composed into one print file."""
