"""The ways in: Telegram, the terminal chat and the command line."""
