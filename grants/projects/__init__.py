"""Projects: reading and editing them, the funding plan, the portfolio, reporting periods,
attachments."""
