"""Audits: taking revisions from devices, reviews, and reading them back."""
