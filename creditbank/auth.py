"""Authentication backend that keeps the signed-in user's row in the cache.

Every signed-in request loads the user (``AuthenticationMiddleware`` → ``get_user``); with the
cached-db sessions that row was the one database query left on a cached page. The row is cached
for ``USER_CACHE_SECONDS`` and dropped whenever the user is saved or deleted (password change,
deactivation, permission flags), so with the shared cache of production (Redis) a change applies
at the next request. ``QuerySet.update()`` sends no signal: code that deactivates users in bulk
must call ``forget_cached_user`` (nothing in the project does); at worst the TTL bounds it. The
session's auth hash is still checked against the cached row's password hash, and sign-in itself
(``authenticate``) always reads the database.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

USER_CACHE_SECONDS = 300


def _key(user_id) -> str:
    return f"auth-user:{user_id}"


def forget_cached_user(user_id) -> None:
    cache.delete(_key(user_id))


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        key = _key(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is None:
                return None
            cache.set(key, user, USER_CACHE_SECONDS)
        return user if self.user_can_authenticate(user) else None


def _forget(sender, instance, **kwargs):
    forget_cached_user(instance.pk)


def connect_signals() -> None:
    User = get_user_model()
    post_save.connect(_forget, sender=User, dispatch_uid="creditbank-auth-user-saved")
    post_delete.connect(_forget, sender=User, dispatch_uid="creditbank-auth-user-deleted")
