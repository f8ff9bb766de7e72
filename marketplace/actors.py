"""Who does something: a user, an API key, or the platform itself (scheduled jobs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from marketplace.models import ApiKey, User


@dataclass(frozen=True)
class Actor:
    user: User | None = None
    api_key: ApiKey | None = None
    label: str = "system"

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(label=label)

    @classmethod
    def for_user(cls, user: User) -> Actor:
        return cls(user=user, label=user.email)

    @classmethod
    def for_api_key(cls, api_key: ApiKey) -> Actor:
        return cls(api_key=api_key, user=None, label=f"api key {api_key.prefix} ({api_key.name})")

    @property
    def is_system(self) -> bool:
        return self.user is None and self.api_key is None
