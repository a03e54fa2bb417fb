"""Drives TrueNAS's own API client for the interoperability tests (truenas_client_test.cpp).

    truenas_client.py CLIENT_DIR cli ARGS...        TrueNAS's midclt, unchanged
    truenas_client.py CLIENT_DIR download URI HTTP_BASE METHOD ARGS_JSON FILENAME
                                                    core.download + HTTP GET, as TrueNAS's tests do;
                                                    prints {"job_id", "url", "status", "body", "job"}
"""
import json
import os
import sys
import urllib.error
import urllib.request

sys.path[:0] = [os.path.dirname(os.path.abspath(__file__)), sys.argv[1]]
import truenas_ws_adapter  # noqa: E402,F401  (before the client: it patches websocket-client)
import truenas_api_client  # noqa: E402


def download(uri, http_base, method, args, filename):
    with truenas_api_client.Client(uri) as c:
        job_id, url = c.call("core.download", method, json.loads(args), filename)
        try:
            with urllib.request.urlopen(http_base + url, timeout=30) as r:
                status, body = r.status, r.read()
                disposition = r.headers.get("Content-Disposition")
        except urllib.error.HTTPError as e:
            status, body, disposition = e.code, e.read(), None
        job = c.call("core.job_wait", job_id, job=True)
        again = None
        try:
            urllib.request.urlopen(http_base + url, timeout=30)
        except urllib.error.HTTPError as e:
            again = e.code
    print(json.dumps({"job_id": job_id, "url": url, "status": status, "body": body.decode(errors="replace"),
                      "disposition": disposition, "job": job, "second_status": again}))


def main():
    mode, rest = sys.argv[2], sys.argv[3:]
    if mode == "cli":
        sys.argv = ["midclt"] + rest
        truenas_api_client.main()
    elif mode == "download":
        download(*rest)
    else:
        sys.exit(f"unknown mode {mode}")


main()
