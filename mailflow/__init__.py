"""mailflow: e-mail and document driven automation of the IN-13 survey procedure.

Does: run IN-13 (``mailflow.procedure``, one module per step) on mail that flows intake ->
understanding (``mail``, ``reading``) -> procedure -> outbox. Must not: depend on the status
page (``web_status``), which the core starts only through ``web_status.create_server``.
"""

__version__ = "0.1.0"
