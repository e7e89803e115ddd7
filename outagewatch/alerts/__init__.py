"""Alert channels and the outbox dispatcher."""
