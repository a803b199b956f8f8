"""Adapters that run peer tools on the benchmark samples, each inside its own virtualenv."""
