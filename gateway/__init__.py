"""The sales gateway: a GraphQL API over a seller's sales, money and reports."""

__version__ = "0.1.0"
