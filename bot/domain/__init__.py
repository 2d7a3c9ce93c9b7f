"""The domain: events, deadline arithmetic, checks and verdicts. Pure: no I/O."""
