"""Announcing new uploads from the channels a person chose, after any sync."""
