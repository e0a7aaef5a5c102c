"""Photos: intake (check, sanitize), files on disk, rows and who holds them."""
