"""The offline demo: a synthetic scenario served to the real collectors, end to end."""
