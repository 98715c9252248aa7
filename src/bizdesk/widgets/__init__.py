"""Reusable widgets: the one paged table and the one form pattern every screen uses."""
