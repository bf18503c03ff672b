"""Our Chinese catalogue for Flask-Admin's strings (domain ``admin``)."""

from pathlib import Path

TRANSLATIONS = Path(__file__).parent
