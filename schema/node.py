"""`node(id:)`: any object of the producer's by its global id."""

from __future__ import annotations
