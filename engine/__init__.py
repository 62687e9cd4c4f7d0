"""CareCycle's engine: BPMN care processes, their store, inbox and audit, without any web code."""

from engine.bootstrap import Engine, build
from engine.clock import Clock, FrozenClock, SystemClock
from engine.config import Settings
from engine.errors import (
    BadRequest,
    Conflict,
    EngineError,
    Forbidden,
    FormInvalid,
    NotFound,
    ProcessInvalid,
    Unauthorized,
)
from engine.identity import ROLES, SYSTEM_ACTOR, Actor
from engine.services.case_projection import EPISODE_STATUSES, PHASES
from engine.services.cases import CaseView
from engine.services.processes import Deployed, ProcessInfo
from engine.services.timers import Firing, SchedulerStatus
from engine.services.views import InstanceView, TaskDetail, TaskView, TimerView

__all__ = [
    "EPISODE_STATUSES",
    "PHASES",
    "ROLES",
    "SYSTEM_ACTOR",
    "Actor",
    "BadRequest",
    "CaseView",
    "Clock",
    "Conflict",
    "Deployed",
    "Engine",
    "EngineError",
    "Firing",
    "Forbidden",
    "FormInvalid",
    "FrozenClock",
    "InstanceView",
    "NotFound",
    "ProcessInfo",
    "ProcessInvalid",
    "SchedulerStatus",
    "Settings",
    "SystemClock",
    "TaskDetail",
    "TaskView",
    "TimerView",
    "Unauthorized",
    "build",
]
