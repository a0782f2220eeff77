"""The page cache's restore generation, kept with the data it guards."""

import uuid

from django.db import models


class CacheGeneration(models.Model):
    """One row: the token that names the current generation of drawn pages and charts.

    `manage.py restore` writes a new token after restoring, because the restored records' versions go
    back to values that pages were drawn under since the backup (tracker/page_cache.py). The shared
    cache holds a copy so that a page costs no query for it; the row is what the copy is rebuilt from
    when the cache loses it, so an eviction does not change the generation (and every chart's ETag).
    """

    # Until the first restore there is no row, and the token is this.
    INITIAL = "initial"

    token = models.CharField(max_length=32, default=INITIAL)

    def __str__(self) -> str:
        return self.token

    @classmethod
    def current(cls) -> str:
        """The token: one SELECT, no write."""
        return cls.objects.filter(pk=1).values_list("token", flat=True).first() or cls.INITIAL

    @classmethod
    def move(cls) -> str:
        token = uuid.uuid4().hex
        cls.objects.update_or_create(pk=1, defaults={"token": token})
        return token
