"""Rules for the event-injection risk."""
