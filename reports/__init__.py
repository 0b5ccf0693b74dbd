"""Funder and portfolio reports: data → pandas → HTML / PDF / XLSX / charts (to come)."""
