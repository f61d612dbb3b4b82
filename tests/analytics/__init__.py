"""Tests for analytics."""
