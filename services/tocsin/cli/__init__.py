"""The ``tocsin`` command line: one module per sub-command, wired together in ``main``."""
