"""lic: Learning In Conversation. Kept import-light: `lic --help` must not load torch."""

__version__ = "0.1.0"
