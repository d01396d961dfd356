#!/usr/bin/env python3
"""Signs in to a fresh `hygeia serve` as its practice administrator (one-time password, new
password, authenticator app) and prints, one per line as NAME=VALUE, what the contract run
needs: a write-scope API token, a practice id, an enroll secret and a node key.

Standard library only; talks to the loopback server given as the first argument.
Usage: credentials.py BASE_URL EMAIL ONE_TIME_PASSWORD
"""

import base64
import hashlib
import hmac
import json
import struct
import sys
import time
import urllib.error
import urllib.request

BASE, EMAIL, ONE_TIME = sys.argv[1], sys.argv[2], sys.argv[3]
NEW_PASSWORD = "contract testing passphrase 2026"
cookie = None
csrf = None


def call(method, path, body=None, bearer=None):
    """One JSON request with the session cookie and CSRF token; returns (status, body)."""
    global cookie, csrf
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if bearer:
        request.add_header("authorization", "Bearer " + bearer)
    else:
        if cookie:
            request.add_header("cookie", cookie)
        if csrf:
            request.add_header("x-csrf-token", csrf)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, headers, raw = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, error.headers, error.read()
    for value in headers.get_all("set-cookie") or []:
        cookie = value.split(";", 1)[0]
    answer = json.loads(raw) if raw else {}
    if isinstance(answer, dict) and answer.get("csrf_token"):
        csrf = answer["csrf_token"]
    if status >= 400:
        sys.exit(f"{method} {path}: HTTP {status}: {answer}")
    return answer


def totp(secret, at):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


call("POST", "/api/v1/session/login", {"email": EMAIL, "password": ONE_TIME})
call("POST", "/api/v1/session/password",
     {"current_password": ONE_TIME, "new_password": NEW_PASSWORD})
secret = call("POST", "/api/v1/session/totp/setup", {})["secret"]
call("POST", "/api/v1/session/totp/confirm", {"code": totp(secret, time.time())})
token = call("POST", "/api/v1/tokens",
             {"name": "contract run", "scope": "write", "expires_in_days": 1})["token"]
practice = call("GET", "/api/v1/practices")["items"][0]["id"]
enroll_secret = call("POST", f"/api/v1/practices/{practice}/enroll-secrets",
                     {"label": "contract run"})["secret"]
enrolled = call("POST", "/api/agent/v1/enroll",
                {"secret": enroll_secret, "hostname": "contract-pc", "os": "linux"})
print(f"HYGEIA_CONTRACT_TOKEN={token}")
print(f"HYGEIA_CONTRACT_PRACTICE={practice}")
print(f"HYGEIA_CONTRACT_HOST={enrolled['host_id']}")
print(f"HYGEIA_CONTRACT_NODE_KEY={enrolled['node_key']}")
