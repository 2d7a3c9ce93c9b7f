"""Getting reminders out: the scheduler, rate limits and the notifier interface."""
