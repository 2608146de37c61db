"""Errors cleaner raises; each message says what went wrong and what to do next."""


class CleanerError(Exception):
    """Base of every error cleaner raises on purpose."""


class RuleError(CleanerError):
    """A rule file is unreadable or a rule in it is malformed (the message names both)."""


class ConfigError(CleanerError):
    """A configuration file or setting is invalid."""


class InputError(CleanerError):
    """An input cannot be cleaned (not text, too large, unreadable)."""
