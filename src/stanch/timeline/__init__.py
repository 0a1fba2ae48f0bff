"""The incident file `incidents/<UTC-date>-<slug>.md`: a projection of the events."""
