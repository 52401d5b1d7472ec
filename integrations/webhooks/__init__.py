"""Outgoing webhooks: signed deliveries of domain events to a creditor's HTTPS endpoints."""
