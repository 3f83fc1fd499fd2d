"""Markdown to clean HTML fragments: pandoc, its Lua filter, the HTML clean-up."""
