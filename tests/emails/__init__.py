"""Tests for emails."""
