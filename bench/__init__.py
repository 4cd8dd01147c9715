"""Outreach's benchmark: latency, throughput and scaling of every main page (see bench/run.py)."""
