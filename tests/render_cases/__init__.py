"""Fixtures and checks for the rendering tests (widget templates' expected outputs live here too)."""
