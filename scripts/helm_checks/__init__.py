"""The checks of scripts/check-helm.py, by concern."""
