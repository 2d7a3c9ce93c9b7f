"""The compliance record: the typed log, each item's record, reports and calendars."""
