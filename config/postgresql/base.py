"""Django's PostgreSQL backend, whose health check asks the socket before the server.

CONN_HEALTH_CHECKS makes Django check a persistent connection at the start of each request that
uses it, with a `SELECT 1`: a round trip, and a statement for the server, on every request (a
tenth of the uncached record page's rate; docs/performance.md). A connection the server has
closed (a restart, pg_terminate_backend(), an idle timeout) always says so on its socket first:
the server sends its FATAL message, then closes, and the socket turns readable. An idle
connection that is not readable has nothing from the server waiting: it is used as is. One
that is readable is checked the usual way, with the `SELECT 1`, and replaced if that fails.

A network cut that closes nothing is not seen, but a `SELECT 1` would only have waited for the
same TCP timeout. Selected by config/settings.py for every postgres:// DATABASE_URL.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and self.server_has_nothing_to_say()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def server_has_nothing_to_say(self):
        """True if the connection is open, idle, and nothing from the server waits on it."""
        connection = self.connection
        if connection.closed or connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            poller = select.poll()  # not select.select(): it fails above file descriptor 1023
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        except (AttributeError, OSError, ValueError):  # no poll() (Windows), a closed socket
            return False
