"""Tests for auth."""
