"""Projects: reading and editing them, the funding plan, the portfolio, reporting periods,
period reports as stored (narrative, frozen versions), attachments."""
