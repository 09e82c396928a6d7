"""User-facing errors: one family, turned into a one-line message by the CLI and the web app."""


class AssistantError(Exception):
    """An error the user can act on; its message is shown as is, without a traceback."""

    exit_code = 1


class UsageError(AssistantError):
    """The command was called wrongly (bad path, bad option)."""

    exit_code = 2


class DocumentError(AssistantError):
    """One document cannot be read; the reason is recorded and the ingest goes on."""


class CatalogueError(AssistantError):
    """The clause catalogue is missing or invalid."""


class IndexBusyError(AssistantError):
    """Another process is writing the same index."""


class IndexMissingError(AssistantError):
    """Nothing has been ingested into the data directory yet."""


class IndexUnavailableError(AssistantError):
    """The vector store cannot be reached (a Chroma server that is down)."""
