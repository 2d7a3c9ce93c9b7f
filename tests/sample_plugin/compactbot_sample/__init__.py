"""Sample Town Compact: an invented third-party Compact for compactbot's tests."""
