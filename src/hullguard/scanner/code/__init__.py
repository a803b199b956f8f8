"""Reading function code: handlers, taint from the event, secrets."""
