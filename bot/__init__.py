"""Lotse: a Telegram bot for the first contact between founders and business advisors."""
