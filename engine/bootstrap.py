"""The one wiring point: build(settings, clock) -> Engine."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine as DbEngine

from engine.clock import Clock, SystemClock
from engine.config import Settings
from engine.persistence import migrate
from engine.persistence.database import create_db_engine, session_factory
from engine.runtime import business_days
from engine.runtime.serializer import WorkflowCodec
from engine.services.approvals import ApprovalService
from engine.services.case_detail import CaseDetailService
from engine.services.caseloads import CaseloadService
from engine.services.cases import CaseService
from engine.services.clock import ClockService, SimulatedClock
from engine.services.context import Context
from engine.services.drafts import DraftService
from engine.services.inbox import InboxService
from engine.services.instances import InstanceService
from engine.services.monitor import MonitorService
from engine.services.processes import ProcessService
from engine.services.reports import ReportService
from engine.services.tasks import TaskService
from engine.services.timers import TimerService
from engine.services.users import UserService


@dataclass
class Engine:
    """CareCycle's services over one database."""

    settings: Settings
    db: DbEngine
    context: Context
    processes: ProcessService
    instances: InstanceService
    tasks: TaskService
    users: UserService
    cases: CaseService
    case_detail: CaseDetailService
    drafts: DraftService
    inbox: InboxService
    clock_control: ClockService
    timers: TimerService
    monitor: MonitorService
    reports: ReportService
    caseloads: CaseloadService
    approvals: ApprovalService

    @property
    def clock(self) -> Clock:
        """The engine's source of time."""
        return self.context.clock

    def upgrade_schema(self) -> None:
        """Apply Alembic migrations up to the newest revision."""
        migrate.upgrade(self.db)

    def dispose(self) -> None:
        """Close database connections."""
        self.db.dispose()


def build(settings: Settings | None = None, clock: Clock | None = None) -> Engine:
    """Wire the services for settings (default: the environment) and a clock."""
    settings = settings or Settings.from_env()
    holidays = settings.holidays_path()
    business_days.configure(business_days.read_holidays(holidays) if holidays else [])
    db = create_db_engine(settings.database_url)
    sessions = session_factory(db)
    if clock is None:
        clock = SimulatedClock(db) if settings.simulated_clock else SystemClock()
    ctx = Context(settings=settings, sessions=sessions, clock=clock, codec=WorkflowCodec())
    processes = ProcessService(ctx)
    instances = InstanceService(ctx, processes)
    tasks = TaskService(ctx, instances)
    return Engine(
        settings=settings,
        db=db,
        context=ctx,
        processes=processes,
        instances=instances,
        tasks=tasks,
        users=UserService(ctx),
        cases=CaseService(ctx, instances),
        case_detail=CaseDetailService(ctx),
        drafts=DraftService(ctx),
        inbox=InboxService(ctx),
        clock_control=ClockService(ctx),
        timers=TimerService(ctx, instances),
        monitor=MonitorService(ctx, instances, tasks),
        reports=ReportService(ctx),
        caseloads=CaseloadService(ctx, instances),
        approvals=ApprovalService(ctx, tasks),
    )
