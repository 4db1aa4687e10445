"""Basewatch: Russia's military footprint around the Mediterranean, as a sourced data set and dashboard."""

__version__ = "0.1.0"
