"""What the bot knows: the Compacts, their plugins, and answering questions."""
