"""The command line: commands, progress, import, new and watch."""
