"""The "Save changes? Yes/No" question and the reset questions of the Setup screens
(front-panel.md §3.6); Qt-free, like the editors (``hmi.editors``)."""

from __future__ import annotations

#: Catalogue keys of the confirmation (the screen translates them).
SAVE_QUESTION, YES, NO = "edit.save_changes", "edit.yes", "edit.no"


class Confirmation:
    """ "Save changes? Yes/No" and the reset questions: ▲/▼ toggle the highlighted answer,
    ``select`` chooses it, ``cancel`` means No; ``question_key`` and ``answer_key`` are
    catalogue keys. Saving starts on Yes (✓ ✓ saves), a reset on No (it loses data)."""

    def __init__(self, question_key: str = SAVE_QUESTION, *, default: bool = True) -> None:
        self.question_key, self.yes = question_key, default
        self.answer: bool | None = None  # set by select / cancel

    @classmethod
    def for_reset(cls, kind: str) -> Confirmation:
        return cls(f"edit.reset_{kind}", default=False)

    @property
    def answer_key(self) -> str:
        return YES if self.yes else NO

    def press(self, action: str) -> bool:
        """▲/▼ toggle Yes/No; True if the highlight moved."""
        if action in ("up", "down"):
            self.yes = not self.yes
        return action in ("up", "down")

    def select(self) -> bool:
        self.answer = self.yes
        return self.answer

    def cancel(self) -> bool:
        self.answer = False
        return False
