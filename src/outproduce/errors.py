"""One error type for every bad input, so the CLI can print it as one line and exit 2."""

from __future__ import annotations


class InputError(Exception):
    """Bad user or data input: names the file, the field path, the line, and what was expected.

    Raised anywhere below the interfaces; the CLI prints ``str(error)`` as a single line
    and exits with status 2. Nothing below the interfaces prints or exits.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        field: str | None = None,
        line: int | None = None,
    ) -> None:
        self.file = file
        self.field = field
        self.line = line
        self.message = message
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """Return ``file:line: field: message`` with the parts that are known."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        head = f"{where}: {self.field}: " if self.field else f"{where}: "
        return " ".join((head + self.message).split())
