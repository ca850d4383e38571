"""The domain: plain async functions over an AsyncSession. No aiogram import anywhere here."""
