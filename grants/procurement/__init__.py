"""Procurement contracts and the ceiling invoices are held against."""
