"""The outbox: rendering notifications from templates and delivering them over SMTP."""
