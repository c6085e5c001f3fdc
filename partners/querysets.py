"""Chainable read filters, attached to managers with Manager.from_queryset()."""
