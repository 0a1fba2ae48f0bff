"""Who owns a service or a path: CODEOWNERS, the Backstage catalog, the escalation map."""
