"""Test stand-ins for third-party services."""
