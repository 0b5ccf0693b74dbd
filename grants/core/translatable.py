"""Marking messages for the translation catalogue, importable by any module without cycles."""


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown (`grants.core.i18n`)."""
    return message
