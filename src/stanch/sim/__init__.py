"""A small simulated production for the demo and the end-to-end tests.

A git repository with a deploy history, a flagd flag file, Kubernetes manifests, a
Makefile and ownership files; and a `checkout` service whose behaviour follows the flag
file it is deployed with. The service serves Prometheus text metrics and the subset of
the Prometheus HTTP query API that its recording rule needs, and writes its logs and
OTLP traces to files, so every stanch capability reads it through its real code path.
"""
