"""psst's user errors in Python."""


class ModelError(ValueError):
    """A mistake in a model or in how it is run, as psst's command line reports it.

    ``str(error)`` is the message ``psst run`` prints: where (file, line, column),
    what was found and what is valid. ``file`` is the model file (or, for a model
    built in Python, which of its texts, e.g. ``"population 'HH' equations"``);
    ``line`` and ``column`` are 1-based, 0 when unknown.
    """

    def __init__(self, message, file=None, line=0, column=0):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def __reduce__(self):
        return (type(self), (self.message, self.file, self.line, self.column))
