"""Evidence: what changed, what the metrics, logs and traces say."""
