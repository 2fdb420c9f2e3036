#!/usr/bin/env python3
"""A local stand-in for the IAM Identity Center portal and SSO-OIDC, for the tests.

moto serves neither. This emulates, as the AWS API references and botocore's sso and
sso-oidc models describe them (both rest-json, unsigned):
  POST /token                    SSO-OIDC CreateToken, grantType "refresh_token" only: the
                                 JSON body's clientId, clientSecret and refreshToken must match
                                 the configured ones; answers {"accessToken", "tokenType":
                                 "Bearer", "expiresIn", "refreshToken"} with a new access token
                                 and a rotated refresh token, else 400 {"error":
                                 "invalid_grant", "error_description"}.
  POST /client/register          SSO-OIDC RegisterClient: a public client; answers clientId,
                                 clientSecret, clientIdIssuedAt, clientSecretExpiresAt (+90 d).
  POST /device_authorization     SSO-OIDC StartDeviceAuthorization for a registered client:
                                 deviceCode, userCode, verificationUri(Complete), expiresIn,
                                 interval 1.
  POST /token (device code)      grantType urn:ietf:params:oauth:grant-type:device_code: 400
                                 authorization_pending for the first "device_pending_polls"
                                 polls of a code (the user has not confirmed yet), then a new
                                 access token (made valid for the portal) and refresh token.
  GET /federation/credentials    SSO GetRoleCredentials: query account_id and role_name,
                                 header x-amz-sso_bearer_token. An unknown or missing token is
                                 401 UnauthorizedException, an unassigned role 403
                                 ForbiddenException; else {"roleCredentials": {"accessKeyId",
                                 "secretAccessKey", "sessionToken", "expiration" (epoch ms)}}.
  POST /v1/token                 Sign-in CreateOAuth2Token (the `aws login` refresh), grantType
                                 "refresh_token": the body's clientId and refreshToken must
                                 match "login_client_id" and "login_refresh_token", and the DPoP
                                 header must be an ES256 JWT (typ dpop+jwt, a P-256 jwk) whose
                                 signature verifies with that jwk, htm POST and htu this URL;
                                 answers {"accessToken": {"accessKeyId", "secretAccessKey",
                                 "sessionToken"}, "tokenType": "aws_sigv4", "expiresIn": 900,
                                 "refreshToken"} (rotated), else 400 ValidationException or 401
                                 {"error": "TOKEN_EXPIRED"}.
  GET /_standin/stats            (test only) JSON counts of the calls above and the bearer
                                 tokens seen.
  POST /_standin/config          (test only) merges a JSON object into the configuration
                                 below, e.g. {"tokens": []} to revoke every access token.
Not emulated: RegisterClient, StartDeviceAuthorization, ListAccounts, Logout, throttling.

Configuration: a JSON file given as the only argument, with "tokens" (valid access tokens),
"client_id", "client_secret", "refresh_token", "assignments" ([[account, role], ...]),
"role_credentials" ({"accessKeyId", "secretAccessKey", "sessionToken"}) and "lifetime"
(seconds). Binds 127.0.0.1 on a free port, prints the port, and serves until its stdin
reaches EOF or SIGTERM. The class Standin runs it from a test and stops it by its pid.
"""
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

LOCK = threading.Lock()
STATE = {"token_calls": 0, "role_calls": 0, "bearers": [], "issued": 0, "login_calls": 0,
         "dpop_verified": 0}
CONFIG = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, code, doc, error_type=None):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if urlparse(self.path).path == "/_standin/config":
            with LOCK:
                CONFIG.update(json.loads(raw))
            return self.send_json(200, {})
        if urlparse(self.path).path == "/v1/token":
            return self.signin_token(raw)
        if urlparse(self.path).path == "/client/register":
            return self.register_client(raw)
        if urlparse(self.path).path == "/device_authorization":
            return self.device_authorization(raw)
        if urlparse(self.path).path != "/token":
            return self.send_json(404, {"message": "no such operation"})
        with LOCK:
            STATE["token_calls"] += 1
        try:
            req = json.loads(raw)
        except ValueError:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "body is not JSON"})
        if req.get("grantType") == "urn:ietf:params:oauth:grant-type:device_code":
            return self.device_token(req)
        if req.get("grantType") != "refresh_token":
            return self.send_json(400, {"error": "unsupported_grant_type"})
        with LOCK:
            ok = (req.get("clientId") == CONFIG["client_id"]
                  and req.get("clientSecret") == CONFIG["client_secret"]
                  and req.get("refreshToken") == CONFIG["refresh_token"])
            if not ok:
                return self.send_json(400, {"error": "invalid_grant",
                                            "error_description": "refresh token not valid"})
            STATE["issued"] += 1
            token = "standin-access-%d-%s" % (STATE["issued"], CONFIG["token_salt"])
            CONFIG["tokens"].append(token)
            CONFIG["refresh_token"] = "standin-refresh-%d-%s" % (STATE["issued"],
                                                                 CONFIG["token_salt"])
            answer = {"accessToken": token, "tokenType": "Bearer", "expiresIn": 3600,
                      "refreshToken": CONFIG["refresh_token"]}
        self.send_json(200, answer)

    def register_client(self, raw):
        req = json.loads(raw)
        if req.get("clientType") != "public" or not req.get("clientName"):
            return self.send_json(400, {"error": "invalid_client_metadata"})
        with LOCK:
            STATE["registrations"] = STATE.get("registrations", []) + [req]
            n = len(STATE["registrations"])
            CONFIG["client_id"] = "device-client-%d" % n
            CONFIG["client_secret"] = "device-client-secret-%d-%s" % (n, CONFIG["token_salt"])
            answer = {"clientId": CONFIG["client_id"], "clientSecret": CONFIG["client_secret"],
                      "clientIdIssuedAt": int(time.time()),
                      "clientSecretExpiresAt": int(time.time()) + 90 * 86400}
        self.send_json(200, answer)

    def device_authorization(self, raw):
        req = json.loads(raw)
        with LOCK:
            if (req.get("clientId") != CONFIG["client_id"]
                    or req.get("clientSecret") != CONFIG["client_secret"]):
                return self.send_json(400, {"error": "invalid_client"})
            STATE["device_start_url"] = req.get("startUrl")
            CONFIG["device_code"] = "device-code-%s" % CONFIG["token_salt"]
            CONFIG["device_polls"] = 0
        self.send_json(200, {"deviceCode": CONFIG["device_code"], "userCode": "ABCD-EFGH",
                             "verificationUri": "https://device.sso.example/",
                             "verificationUriComplete":
                                 "https://device.sso.example/?user_code=ABCD-EFGH",
                             "expiresIn": 600, "interval": 1})

    def device_token(self, req):
        with LOCK:
            if (req.get("deviceCode") != CONFIG.get("device_code")
                    or req.get("clientId") != CONFIG["client_id"]
                    or req.get("clientSecret") != CONFIG["client_secret"]):
                return self.send_json(400, {"error": "invalid_grant"})
            CONFIG["device_polls"] += 1
            STATE["device_polls"] = CONFIG["device_polls"]
            if CONFIG["device_polls"] <= CONFIG.get("device_pending_polls", 1):
                return self.send_json(400, {"error": "authorization_pending"})
            STATE["issued"] += 1
            token = "standin-device-%d-%s" % (STATE["issued"], CONFIG["token_salt"])
            CONFIG["tokens"].append(token)
            CONFIG["refresh_token"] = "standin-refresh-%d-%s" % (STATE["issued"],
                                                                 CONFIG["token_salt"])
            answer = {"accessToken": token, "tokenType": "Bearer", "expiresIn": 28800,
                      "refreshToken": CONFIG["refresh_token"]}
        self.send_json(200, answer)

    def dpop_valid(self):
        """The DPoP proof: header, claims and the ES256 signature over them."""
        import base64
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

        def part(text):
            return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        try:
            head, claims, sig = (self.headers.get("DPoP") or "").split(".")
            header, payload = json.loads(part(head)), json.loads(part(claims))
            jwk = header["jwk"]
            if header["typ"] != "dpop+jwt" or header["alg"] != "ES256" or jwk["crv"] != "P-256":
                return False
            url = "http://%s%s" % (self.headers["Host"], self.path)
            if payload["htm"] != "POST" or payload["htu"] != url or not payload["jti"]:
                return False
            key = ec.EllipticCurvePublicNumbers(int.from_bytes(part(jwk["x"]), "big"),
                                                int.from_bytes(part(jwk["y"]), "big"),
                                                ec.SECP256R1()).public_key()
            raw = part(sig)
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                       int.from_bytes(raw[32:], "big"))
            key.verify(der, ("%s.%s" % (head, claims)).encode(), ec.ECDSA(hashes.SHA256()))
            return True
        except Exception:  # any malformed or unverifiable proof
            return False

    def signin_token(self, raw):
        with LOCK:
            STATE["login_calls"] += 1
        if not self.dpop_valid():
            return self.send_json(400, {"error": "INVALID_REQUEST",
                                        "message": "DPoP proof not valid"},
                                  "ValidationException")
        with LOCK:
            STATE["dpop_verified"] += 1
            req = json.loads(raw)
            if (req.get("grantType") != "refresh_token"
                    or req.get("clientId") != CONFIG.get("login_client_id")
                    or req.get("refreshToken") != CONFIG.get("login_refresh_token")):
                return self.send_json(401, {"error": "TOKEN_EXPIRED",
                                            "message": "refresh token expired"},
                                      "AccessDeniedException")
            STATE["issued"] += 1
            CONFIG["login_refresh_token"] = "login-refresh-%d-%s" % (STATE["issued"],
                                                                     CONFIG["token_salt"])
            answer = {"accessToken": dict(CONFIG["login_credentials"]),
                      "tokenType": "aws_sigv4", "expiresIn": 900,
                      "refreshToken": CONFIG["login_refresh_token"]}
        self.send_json(200, answer)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/_standin/stats":
            with LOCK:
                return self.send_json(200, dict(STATE, refresh_token=CONFIG["refresh_token"]))
        if url.path != "/federation/credentials":
            return self.send_json(404, {"message": "no such operation"})
        q = parse_qs(url.query)
        bearer = self.headers.get("x-amz-sso_bearer_token")
        with LOCK:
            STATE["role_calls"] += 1
            STATE["bearers"].append(bearer)
            valid = bearer in CONFIG["tokens"]
        if not valid:
            return self.send_json(401, {"message": "Session token not found or invalid"},
                                  "UnauthorizedException")
        pair = [q.get("account_id", [""])[0], q.get("role_name", [""])[0]]
        if pair not in CONFIG["assignments"]:
            return self.send_json(403, {"message": "No access"}, "ForbiddenException")
        creds = dict(CONFIG["role_credentials"])
        creds["expiration"] = int((time.time() + CONFIG["lifetime"]) * 1000)
        self.send_json(200, {"roleCredentials": creds})


def serve(config_path):
    with open(config_path) as f:
        CONFIG.update(json.load(f))
    CONFIG.setdefault("token_salt", "x")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sys.stdin.read()  # EOF: the test is gone
    except KeyboardInterrupt:
        pass
    server.shutdown()


class Standin:
    """Runs this server as a child; stop() ends it by its pid."""

    def __init__(self, config_path):
        self.config_path = config_path
        self.proc = None
        self.url = None

    def start(self):
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__),
                                      self.config_path], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        port = int(self.proc.stdout.readline())
        self.url = "http://127.0.0.1:%d" % port
        return self

    def stats(self):
        import urllib.request
        with urllib.request.urlopen(self.url + "/_standin/stats", timeout=10) as r:
            return json.loads(r.read())

    def configure(self, **changes):
        import urllib.request
        req = urllib.request.Request(self.url + "/_standin/config", method="POST",
                                     data=json.dumps(changes).encode())
        with urllib.request.urlopen(req, timeout=10) as r:
            r.read()

    def stop(self):
        if self.proc:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc = None


if __name__ == "__main__":
    serve(sys.argv[1])
