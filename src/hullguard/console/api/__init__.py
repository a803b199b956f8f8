"""The collector API (``/api/v1``): JSON in, JSON out, API keys only (no cookies)."""
