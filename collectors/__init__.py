"""Collectors: one module per public source, each yielding plain Post records."""
