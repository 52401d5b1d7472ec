"""Delivery of rendered notices: channels, the creditor's channel policy, attempts, print
batches."""
