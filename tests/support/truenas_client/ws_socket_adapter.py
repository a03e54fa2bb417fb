"""Lets TrueNAS's API client run on Debian's websocket-client 1.2.3.

The client connects its socket itself (TLS included) and hands it to WebSocketApp(socket=...),
an argument that 1.2.3 lacks. This module, imported before truenas_api_client, gives
websocket.WebSocketApp that argument: run_forever then opens the WebSocket on the given socket
instead of dialling again. Nothing else changes; used only by the interoperability tests.
"""
import websocket
import websocket._app as _app

_BaseWebSocket = _app.WebSocket


class WebSocketApp(websocket.WebSocketApp):
    def __init__(self, url, *args, socket=None, **kwargs):
        super().__init__(url, *args, **kwargs)
        self._given_socket = socket

    def run_forever(self, *args, **kwargs):
        given = self._given_socket

        class _OnGivenSocket(_BaseWebSocket):
            def connect(self, url, **options):
                if given is not None:
                    options['socket'] = given
                return super().connect(url, **options)

        # run_forever builds its WebSocket from this module-level name.
        _app.WebSocket = _OnGivenSocket
        return super().run_forever(*args, **kwargs)


websocket.WebSocketApp = WebSocketApp
