"""Operations: backup and restore, verify, demo data."""
