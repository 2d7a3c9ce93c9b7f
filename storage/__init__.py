"""All storage: the repository (every SQL statement), its two backends and the ordered
migrations."""
