# Parses Prometheus text exposition from stdin with the prometheus_client library's own parser and prints
# every family as JSON: {"name", "type", "samples": [{"name", "labels"}]}. Exits non-zero on a parse error.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

families = [
    {"name": f.name, "type": f.type, "samples": [{"name": s.name, "labels": s.labels} for s in f.samples]}
    for f in text_string_to_metric_families(sys.stdin.read())
]
json.dump(families, sys.stdout)
