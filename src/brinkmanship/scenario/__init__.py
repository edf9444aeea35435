"""Scenario files: loading, schema and validation."""
