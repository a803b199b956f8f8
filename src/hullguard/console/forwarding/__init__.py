"""SIEM forwarding: Splunk HEC, syslog (RFC 5424 + CEF) and an HMAC-signed webhook, with retry,
backoff and a dead-letter table. Formats are pure functions; senders do the I/O; the worker decides
what to send and records the outcome."""
