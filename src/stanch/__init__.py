"""stanch: stop the bleeding, then find out why."""

__version__ = "0.1.0"
