"""The pseudonymous participant register: participants, services and receipts, service tables,
files."""
