"""hullguard runtime."""
