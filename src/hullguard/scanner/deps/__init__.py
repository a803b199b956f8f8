"""Dependency manifests and the OSV vulnerability database."""
