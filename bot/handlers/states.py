"""Conversation states. The draft and the step live in the database (bot/fsm_storage.py)."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ReportForm(StatesGroup):
    kind = State()
    description = State()
    photos = State()
    place = State()
    urgency = State()
    confirm = State()


class ActionInput(StatesGroup):
    """Waiting for what an issue action needs: a text (note, reason, the original's number), a department,
    a due date."""

    text = State()
    department = State()
    due = State()


class MeetingForm(StatesGroup):
    held_on = State()
    attendees = State()
    agenda = State()


class ServiceForm(StatesGroup):
    kind = State()
    place = State()
    note = State()
