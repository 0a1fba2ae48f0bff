"""Postmortem settings, rendering (Markdown, HTML) and issue-tracker sync."""
