"""cleaner: rule-based cleanup and normalization of text scraped from the web.

>>> from cleaner import clean_text
>>> clean_text("Caf\u00c3\u00a9 &amp; bar\r\n")
'Café & bar\n'
"""

from cleaner.config import Config, load_config
from cleaner.errors import CleanerError, ConfigError, InputError, RuleError
from cleaner.model import Change, Document, Result
from cleaner.pipeline import STAGES, Cleaner, clean_text

__version__ = "0.1.0"

__all__ = [
    "STAGES", "Change", "Cleaner", "CleanerError", "Config", "ConfigError", "Document",
    "InputError", "Result", "RuleError", "__version__", "clean_text", "load_config",
]
