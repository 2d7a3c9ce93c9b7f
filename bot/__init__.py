"""The bot: domain, knowledge, records, chat, delivery, core and front ends
(ARCHITECTURE.md draws the layers)."""
