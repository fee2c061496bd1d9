"""Composition root: choose the adapters for a set of settings."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from piccolo.engine.base import Engine

from archive_svc import ingest, signing
from archive_svc.config import Settings
from archive_svc.domain import commands
from archive_svc.ingest import Consumer, MissingReadsIngest, ScanIngest
from archive_svc.persistence import engine as db
from archive_svc.persistence.audit import PiccoloAuditUnitOfWork
from archive_svc.persistence.console_queries import PiccoloConsoleQueries
from archive_svc.persistence.migrate import migrate
from archive_svc.persistence.queries import PiccoloQueries
from archive_svc.persistence.stations import PiccoloStations
from archive_svc.persistence.unit_of_work import PiccoloUnitOfWork
from archive_svc.services import audit_jobs, registry, scanning, stations
from archive_svc.services.custody import LedgerPolicy
from archive_svc.services.ports import (
    AbstractUnitOfWork,
    Clock,
    Queries,
    SystemClock,
)
from archive_svc.services.ports.audit import AuditUnitOfWork, Signer
from archive_svc.services.ports.console import ConsoleQueries
from archive_svc.services.ports.scans import ScanTexts
from archive_svc.services.ports.stations import StationRepository
from archive_svc.services.scanning import ScanOutcome, ScanPolicy
from archive_svc.texts import StationTexts
from devices.mqtt import EmbeddedBroker, MqttParams, access

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a process needs, built once from settings."""

    settings: Settings
    engine: Engine[Any]
    clock: Clock
    queries: Queries
    policy: LedgerPolicy
    scan_policy: ScanPolicy = field(default_factory=ScanPolicy)
    texts: ScanTexts = field(default_factory=StationTexts)
    broker: EmbeddedBroker | None = None
    consumer: Consumer | None = None
    audit_task: asyncio.Task[None] | None = None
    console: ConsoleQueries = field(init=False)
    """The console's read models (home figures, holders, totals), on ``engine``."""

    def __post_init__(self) -> None:
        self.console = PiccoloConsoleQueries(self.engine)

    def uow(self) -> AbstractUnitOfWork:
        return PiccoloUnitOfWork(self.engine)

    def audit_uow(self) -> AuditUnitOfWork:
        return PiccoloAuditUnitOfWork(self.engine)

    def signer(self) -> Signer:
        """The checkpoint key from the settings.

        Raises:
            signing.SigningKeyError: missing, unreadable or readable by others.
        """
        data_dir = self.settings.data_dir
        return signing.load_signer(
            self.settings.audit.key_path(data_dir),
            self.settings.audit.retired_path(data_dir),
        )

    def audit_jobs(self) -> audit_jobs.AuditJobs:
        """Journal sealing, checkpoints and the journal purge, as ``serve`` runs them
        (checkpoints and purges only when the key is there)."""
        try:
            signer: Signer | None = self.signer()
        except signing.SigningKeyError as exc:
            log.warning("no checkpoint key (%s): checkpoints and purges are off", exc)
            signer = None
        settings = self.settings.audit
        schedule = audit_jobs.AuditSchedule(
            seal_every=timedelta(seconds=settings.seal_interval_s),
            checkpoint_every=timedelta(seconds=settings.checkpoint_interval_s),
            purge_every=timedelta(seconds=settings.purge_interval_s),
            retention=timedelta(days=settings.journal_retention_days),
        )
        return audit_jobs.AuditJobs(schedule, self.audit_uow, self.clock, signer)

    def stations(self) -> StationRepository:
        return PiccoloStations(self.engine)

    async def record_scan(self, cmd: commands.RecordScan) -> ScanOutcome:
        return await scanning.record_scan(
            cmd, self.uow(), self.clock, self.policy, self.scan_policy,
            texts=self.texts,
        )  # fmt: skip

    async def record_scans(
        self, cmds: Sequence[commands.RecordScan]
    ) -> list[ScanOutcome]:
        return await scanning.record_scans(
            cmds, self.uow(), self.clock, self.policy, self.scan_policy,
            texts=self.texts,
        )  # fmt: skip

    async def record_missing(self, cmd: commands.RecordMissingReads) -> None:
        await scanning.record_missing_reads(cmd, self.uow(), self.clock)

    async def quarantine(self, topic: str, payload: bytes, reason: str) -> None:
        code = reason.partition(":")[0]
        await scanning.journal_bad_message(
            topic, payload, reason, self.uow(), self.clock,
            code if code in stations.REFUSAL_CODES else "bad_payload",
        )  # fmt: skip

    async def startup(self) -> None:
        """Web app lifespan start: DB pool, embedded broker, scan ingest."""
        await self.start_pool()
        await self.start_ingest()
        self.audit_task = asyncio.create_task(self.audit_jobs().run())

    async def shutdown(self) -> None:
        task, self.audit_task = self.audit_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.stop_ingest()
        await self.close_pool()

    async def start_ingest(self) -> None:
        """Start the embedded broker (if configured) and the scan consumer."""
        mqtt = self.settings.mqtt
        url = mqtt.broker_url
        if url is None:
            return
        password = mqtt.read_password()
        if mqtt.broker == "embedded":
            # With no configured password, one for this process only.
            password = password or access.new_password()
            await self._start_embedded_broker(access.hash_password(password))
        elif password is None:
            log.warning("MQTT: the service connects without credentials; the broker "
                        "must refuse anonymous clients (docs/postes-de-scan.md)")  # fmt: skip
        site = self.settings.site
        admit = ingest.admission(site, self.stations())
        scans = ScanIngest(
            site, self.record_scan, admit=admit, record_many=self.record_scans
        )
        missing = MissingReadsIngest(site, self.record_missing, admit=admit)
        connection = MqttParams(
            username=mqtt.username if password is not None else None,
            password=password, ca_file=mqtt.ca_file or None,
            cert_file=mqtt.cert_file or None, key_file=mqtt.key_file or None,
        )  # fmt: skip
        self.consumer = Consumer(
            url, site, self.settings.instance,
            {scans.topic_filter: scans, missing.topic_filter: missing},
            self.quarantine, protocol=mqtt.protocol,
            share_group=mqtt.share_group or None, connection=connection,
        )  # fmt: skip
        await self.consumer.start()

    async def _start_embedded_broker(self, service_hash: str) -> None:
        """The loopback broker, open to the service and the active stations only
        (read once: restart after registering a station)."""
        mqtt = self.settings.mqtt
        for noisy in ("amqtt", "transitions"):  # one INFO line per packet
            logging.getLogger(noisy).setLevel(logging.WARNING)
        allowed = await ingest.broker_access(
            self.stations(), self.settings.site, mqtt.username, service_hash
        )
        self.broker = EmbeddedBroker(
            port=mqtt.embedded_port, users=allowed.users, rules=allowed.rules
        )
        await self.broker.start()

    async def stop_ingest(self) -> None:
        consumer, self.consumer = self.consumer, None
        if consumer is not None:
            await consumer.stop()
        broker, self.broker = self.broker, None
        if broker is not None:
            await broker.shutdown()

    @property
    def uses_pool(self) -> bool:
        return not db.is_sqlite(self.engine)

    async def start_pool(self) -> None:
        if self.uses_pool:
            await self.engine.start_connection_pool(  # type: ignore[no-untyped-call, call-arg]
                min_size=self.settings.database.pool_min,
                max_size=self.settings.database.pool_max,
                **db.POOL_OPTIONS,
            )

    async def close_pool(self) -> None:
        if self.uses_pool:
            await self.engine.close_connection_pool()  # type: ignore[no-untyped-call]

    async def migrate(self) -> str:
        message = await migrate(self.engine)
        await registry.ensure_reference_data(self.uow())
        return message


def build_runtime(settings: Settings, clock: Clock | None = None) -> Runtime:
    engine = db.configure(settings.database.url, settings.database.busy_timeout_s)
    policy = LedgerPolicy(
        max_batch=settings.ledger.max_batch,
        future_tolerance=timedelta(seconds=settings.ledger.future_tolerance_s),
    )
    scan_policy = ScanPolicy(
        gap_wait=timedelta(seconds=settings.mqtt.gap_wait_s),
        max_age=timedelta(days=settings.mqtt.max_scan_age_days),
    )
    return Runtime(
        settings, engine, clock or SystemClock(), PiccoloQueries(engine), policy,
        scan_policy,
    )  # fmt: skip
