"""Outgoing notifications: pagers, chat, status pages, webhooks — one adapter each."""
