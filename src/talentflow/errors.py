"""One named exception per failure mode; each message says what to do."""


class TalentflowError(Exception):
    """Base class of every error talentflow raises on purpose."""


class ConfigError(TalentflowError):
    """A parameter, option or environment variable has a value talentflow cannot use."""


class FetchError(TalentflowError):
    """A data file could be found neither in the mirror, nor in the cache, nor upstream."""


class InputError(TalentflowError):
    """An input file cannot be read at all (as opposed to single bad records, which become rejects)."""


class StrictModeError(TalentflowError):
    """--strict was given and the ingest rejected at least one record."""


class WarehouseError(TalentflowError):
    """The warehouse is missing, locked, or lacks a table a command needs."""


class ExtraMissingError(ConfigError):
    """A command or feature needs an optional extra (``pip install 'talentflow[EXTRA]'``) that is not installed."""
