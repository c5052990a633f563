"""Operations: one service or query call off the GUI thread, in the spirit of Anki's
``CollectionOp``. Widgets never write ``partial(service, ctx.db, ctx.actor, …)``
and never decide alone how an error reads; they say what to call, what it changes
and what to do next::

    Op(ctx, task_actions.watch, task_id).changes(Change.of(Kind.TASK, task_id)) \\
        .success(lambda _: ...).failure(lambda exc, text: ...).run()

- ``fn(ctx.db, ctx.actor, *args, **kwargs)`` runs in the Runner's pool; the worker
  touches no widget, the callbacks run on the GUI thread.
- On success the ``success`` callback runs first (the widget updates itself and its
  own signals), then ``ctx.signals.data_changed`` is emitted with the ``Change`` (a
  value, or a function of the result, e.g. ``lambda saved: Change.of(TASK, saved.id)``);
  a read (no ``changes``) emits nothing.
- On failure the ``failure`` callback gets the exception and its one sentence
  (``errors.sentence`` with the op's ``fallback``); without one, the sentence is shown
  in a message box titled ``title``. Nothing the user typed is touched here: a dialog's
  fields stay as they were, so a failed save can be tried again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from practiceboard.gui.kit.change import Change
from practiceboard.gui.kit.context import AppContext
from practiceboard.gui.kit.errors import TRY_AGAIN, sentence


class Op:
    def __init__(self, ctx: AppContext, fn: Callable[..., Any], *args: Any, **kwargs: Any):
        self.ctx, self.fn, self.args, self.kwargs = ctx, fn, args, kwargs
        self._changes: Change | Callable[[Any], Change] | None = None
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[Exception, str], None] | None = None
        self._fallback = TRY_AGAIN
        self._title, self._parent = "Not saved", None

    def changes(self, change: Change | Callable[[Any], Change] | None) -> Op:
        """What a success changed (announced on ``ctx.signals.data_changed``)."""
        self._changes = change
        return self

    def success(self, on_done: Callable[[Any], None]) -> Op:
        self._success = on_done
        return self

    def failure(self, on_error: Callable[[Exception, str], None]) -> Op:
        """``on_error(exc, sentence)``; ``exc`` for callers that treat a kind specially."""
        self._failure = on_error
        return self

    def fallback(self, text: str) -> Op:
        """The sentence for an error that brings none (``{detail}``: the plain cause)."""
        self._fallback = text
        return self

    def report_to(self, parent, title: str) -> Op:
        """With no failure callback: show the sentence in a message box over ``parent``."""
        self._parent, self._title = parent, title
        return self

    def call(self) -> Any:
        """The call itself (worker thread)."""
        return self.fn(self.ctx.db, self.ctx.actor, *self.args, **self.kwargs)

    def run(self) -> None:
        self.ctx.runner.submit(self.call, self._done, self._failed)

    # ---------------------------------------------------------------- GUI thread

    def _done(self, result: Any) -> None:
        if self._success is not None:
            self._success(result)
        change = self._changes(result) if callable(self._changes) else self._changes
        if change is not None:
            self.ctx.signals.data_changed.emit(change)

    def _failed(self, exc: Exception) -> None:
        text = sentence(exc, self._fallback)
        if self._failure is not None:
            self._failure(exc, text)
        else:
            self.ctx.messages.error(self._parent, self._title, text)
