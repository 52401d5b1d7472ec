"""E-mail through Django's mail backend, the notice's PDF attached."""
