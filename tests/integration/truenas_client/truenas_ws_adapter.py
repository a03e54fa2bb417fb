"""Lets TrueNAS's API client run on Debian's websocket-client (1.2.x).

The client hands WebSocketApp an already connected socket (`socket=`), which websocket-client
learnt only in a later release. This wraps WebSocketApp so that the socket reaches the connect
step that older releases already accept it at. Import before truenas_api_client.
"""
import threading

import websocket
import websocket._app as _app

_prepared = threading.local()


class _PreparedSocketWebSocket(_app.WebSocket):
    def connect(self, url, **options):
        sock = getattr(_prepared, "socket", None)
        if sock is not None:
            options["socket"] = sock
        return super().connect(url, **options)


class WebSocketApp(websocket.WebSocketApp):
    def __init__(self, url, socket=None, **kwargs):
        super().__init__(url, **kwargs)
        self._prepared_socket = socket

    def run_forever(self, *args, **kwargs):
        # run_forever runs on the client's own thread: the socket travels in a thread-local.
        _prepared.socket = self._prepared_socket
        return super().run_forever(*args, **kwargs)


if "socket" not in websocket.WebSocketApp.__init__.__code__.co_varnames:
    _app.WebSocket = _PreparedSocketWebSocket
    websocket.WebSocketApp = WebSocketApp
