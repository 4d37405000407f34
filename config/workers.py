"""gunicorn's threaded worker, answering a request too long for gunicorn to read with the site's
own styled page (templates/400.html) rather than gunicorn's bare one.

gunicorn reads at most LIMIT_REQUEST_LINE bytes of request line and LIMIT_REQUEST_FIELD_SIZE of
a header (config/gunicorn.py); the app's request guard refuses shorter addresses first
(config.middleware.MAX_REQUEST_TARGET). So whichever of the two refuses a long request, the
client gets the same page: 414 for an address too long, 400 for headers too large or too many,
in the language of the address (/fr/... is French) as the app's would be. Every other error
gunicorn answers itself, as before.
"""

import errno
import logging
import re
import selectors
import socket
import threading
import time
from functools import partial

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import TConn, ThreadWorker

logger = logging.getLogger(__name__)

# How long a new connection may take to send its request before it is closed (or
# GUNICORN_KEEPALIVE, if longer): its own wait, since with keep-alive off (the default,
# config/gunicorn.py) every connection is new.
FIRST_REQUEST_SECONDS = 2


def request_start(conn, size=64):
    """The first bytes of the request `conn` is about to read ("GET /fr/resolutions/?q=..."),
    left where they are: from what the parser already holds of a kept-alive connection, else
    peeked at on the socket. b"" when there is nothing to read yet (or it cannot be peeked)."""
    unreader = getattr(conn.parser, "unreader", None)
    buffered = getattr(unreader, "buf", None)
    if buffered is not None and buffered.getvalue():
        return buffered.getvalue()[:size]
    try:
        return conn.sock.recv(size, socket.MSG_PEEK)
    except (OSError, ValueError):  # nothing yet (non-blocking), closed, or TLS (no peeking)
        return b""


def language_of(start):
    """The interface language of a request line's address (/fr/... is French), else the
    default one."""
    from django.conf import settings
    from django.utils import translation

    match = re.match(rb"[A-Z]+ (/[^ ?#]*)", start)
    path = match[1].decode("latin-1") if match else ""
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def styled_error(status, reason_phrase, message, language):
    """The HTTP answer, as bytes: the status line, headers and templates/400.html."""
    from core.errors import bad_request_body

    body = bad_request_body(language, message)
    head = (
        f"HTTP/1.1 {status} {reason_phrase}\r\n"
        "Connection: close\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "\r\n"
    )
    return head.encode("latin-1") + body


class StyledThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, where a connection that has sent nothing holds no thread.

    gunicorn 27's own hands each new connection to a thread, which waits up to 5 s for its
    first byte: 50 connections that open and send nothing held every thread in turn, and `/`
    waited 55 s behind them (docs/deploying.md). Here a new connection waits in the worker's
    poller, as a kept-alive one does, and reaches a thread only once it has sent something;
    one that sends nothing for FIRST_REQUEST_SECONDS (or GUNICORN_KEEPALIVE, if longer) is
    closed.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_starts = threading.local()  # each thread's request, for handle_error()

    def handle(self, conn):
        # A request too long for gunicorn fails before any request object exists: the start of
        # its line, seen first, says in which language to refuse it.
        self.request_starts.value = request_start(conn)
        return super().handle(conn)

    def accept(self, listener):
        try:
            client_sock, client_addr = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client_sock, client_addr, listener.getsockname())  # non-blocking
        conn.timeout = time.monotonic() + max(self.cfg.keepalive, FIRST_REQUEST_SECONDS)
        self.pending_conns.append(conn)  # murder_pending() closes it when its time is up
        self.poller.register(
            conn.sock, selectors.EVENT_READ, partial(self.on_pending_socket_readable, conn)
        )

    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, (LimitRequestLine, LimitRequestHeaders)):
            return super().handle_error(req, client, addr, exc)
        from django.utils import translation

        from config.middleware import address_too_long_message

        language = language_of(getattr(self.request_starts, "value", b""))
        with translation.override(language):
            if isinstance(exc, LimitRequestLine):
                status, phrase = 414, "URI Too Long"
                message = address_too_long_message()
            else:
                status, phrase = 400, "Bad Request"
                message = translation.gettext("This request's headers are too large or too many.")
            try:
                answer = styled_error(status, phrase, message, language)
            except Exception:  # the page must not fail where gunicorn's own would not
                logger.exception("Could not render the page for a request too long")
                return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            write_nonblock(client, answer)
        except Exception:
            self.log.debug("Failed to send error message.")
