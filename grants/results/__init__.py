"""Indicators: definitions, logged values (entries), progress, and counting from the register."""
