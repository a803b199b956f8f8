"""One module per runtime control; each registers its audit-event handlers."""
