"""Digital post (e-Boks / Digital Post style): submission files written to an outbox."""
