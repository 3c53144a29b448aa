"""/healthz for load balancers and monitors, /metrics for Prometheus."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from web_status import queries as web_queries
from web_status.auth import mailflow_app

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    app = mailflow_app()
    with app.sessions() as session:
        report = web_queries.health(session, app.clock.now())
    return web_queries.to_json(report), 200 if report["healthy"] else 503


class _DatabaseCollector(Collector):
    """Reads the figures from the database at scrape time (the page holds no counters)."""

    def __init__(self, values: dict[str, float | None]) -> None:
        self.values = values

    def collect(self) -> Iterator[Metric]:
        v = self.values
        yield CounterMetricFamily(
            "mailflow_messages_processed",
            "Incoming messages processed",
            value=v["messages_processed"],
        )
        yield CounterMetricFamily(
            "mailflow_messages_quarantined",
            "Incoming messages that went to the quarantine",
            value=v["messages_quarantined"],
        )
        yield GaugeMetricFamily(
            "mailflow_quarantine_open",
            "Quarantine entries nobody has resolved yet",
            value=v["quarantine_open"],
        )
        yield GaugeMetricFamily(
            "mailflow_outbox_queue_length",
            "Outgoing messages waiting to be sent",
            value=v["outbox_queue"],
        )
        yield GaugeMetricFamily(
            "mailflow_outbox_failed",
            "Outgoing messages that failed for good",
            value=v["outbox_failed"],
        )
        age = v["last_poll_age_seconds"]
        # NaN, not 0, when the mailbox was never polled: "just now" would hide a dead daemon.
        yield GaugeMetricFamily(
            "mailflow_last_poll_age_seconds",
            "Seconds since the mailbox was last polled",
            value=float("nan") if age is None else age,
        )


@bp.get("/metrics")
def metrics() -> Response:
    app = mailflow_app()
    with app.sessions() as session:
        values = web_queries.metric_values(session, app.clock.now())
    # A registry per request: nothing global, so several apps in one process never clash.
    registry = CollectorRegistry(auto_describe=True)
    registry.register(_DatabaseCollector(values))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
