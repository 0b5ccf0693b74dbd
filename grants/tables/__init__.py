"""Piccolo tables, one module per subject. Money columns are integer cents (BigInt)."""
