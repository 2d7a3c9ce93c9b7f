"""The conversation: commands, registration forms and replies, independent of Telegram."""
