"""The demo portfolio: the real projects from the seed documents and the demo users."""
