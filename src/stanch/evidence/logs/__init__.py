"""Log evidence: read plain files, stdin or Loki; group lines by signature; find first occurrences."""
