"""archive-svc: custody, access and conservation of an asylum office's physical archives."""

__version__ = "0.1.0"
