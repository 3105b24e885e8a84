"""Bundled real datasets and their loaders."""
