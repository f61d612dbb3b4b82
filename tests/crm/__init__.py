"""Tests for leads, services and matches."""
