"""The Compacts as data: the schema of a Compact file, its loader (quotes proved verbatim)
and the cache."""
