"""Dashboard pages: layout and widgets only; data comes from dashboard/data.py."""
