"""Which principal holds an API key, findable by the key's hash in the registry's own store.

Saved in the same transaction as the principal it points to, so the registry can
authenticate a key the moment it is issued, without waiting for any read model."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

KEY_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/api-key")


class KeyIndex(Aggregate):
    @event("Indexed")
    def __init__(self, key_hash: str, principal_id: UUID) -> None:
        self.key_hash = key_hash
        self.principal_id = principal_id

    @staticmethod
    def create_id(key_hash: str) -> UUID:
        return uuid5(KEY_NAMESPACE, key_hash)
