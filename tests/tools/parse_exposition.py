"""Parses exposition texts with the reference client (python3-prometheus-client).

stdin: JSON list of {"text": str, "om": bool}; stdout: JSON list, one item per
text: {"families": [...]} or {"error": str}. Floats that JSON cannot hold are
written as the strings "NaN", "+Inf", "-Inf".
"""
import json
import math
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_text


def num(v):
    if v is None:
        return None
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return v


def ts(t):
    """A timestamp as [seconds, nanoseconds] (exact), or None."""
    if t is None:
        return None
    if hasattr(t, "sec"):
        return [t.sec, t.nsec]
    return [math.floor(t), round((t - math.floor(t)) * 1e9)]


def main():
    out = []
    for item in json.load(sys.stdin):
        try:
            parse = parse_om if item.get("om") else parse_text
            fams = []
            for f in parse(item["text"]):
                fams.append({
                    "name": f.name,
                    "type": f.type,
                    "help": f.documentation,
                    "unit": f.unit,
                    "samples": [
                        {"name": s.name, "labels": s.labels, "value": num(s.value),
                         "exemplar": None if s.exemplar is None else {
                             "labels": s.exemplar.labels, "value": num(s.exemplar.value),
                             "timestamp": ts(s.exemplar.timestamp)}}
                        for s in f.samples
                    ],
                })
            out.append({"families": fams})
        except Exception as e:  # the parser's verdict is the answer
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout)


main()
