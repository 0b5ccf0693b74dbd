"""Shared by every subject: money, refusals, messages, vocabulary, languages, access, audit,
dates."""
