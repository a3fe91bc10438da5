"""Inspections REST API (checklists, inspections, duties, rounds)."""
