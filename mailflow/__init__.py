"""mailflow: e-mail and document driven automation of the IN-13 survey procedure."""

__version__ = "0.1.0"
