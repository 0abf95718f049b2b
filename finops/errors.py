"""The one kind of error a user's input causes: every such error is one sentence naming the file (or
the bill) and what to do, and the CLI turns it into exit code 2 without a traceback."""


class InputError(Exception):
    """A problem in what the user gave the warehouse (a landing file, a mapping file); fix the input."""
