"""A tiny OpenID provider over real HTTP that issues whatever ID token a test asks for (for refusal tests)."""
from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


class ForgingIssuer:
    """Discovery, JWKS, an authorize endpoint that approves at once, and a token endpoint whose ID
    token follows `self.scenario`: claim overrides, `alg="none"`, or signing with a key not in the JWKS."""

    def __init__(self, client_id: str, algorithms: list[str] | None = None):
        self.client_id = client_id
        self.algorithms = algorithms or ["RS256"]
        self.key = RSAKey.generate_key(2048, parameters={"kid": "real", "use": "sig", "alg": "RS256"})
        self.scenario: dict = {}
        self.codes: dict[str, dict] = {}  # code -> the authorization request it answers, until used
        self.token_requests: list[dict] = []
        self._server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def id_token(self, request: dict) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": self.client_id, "sub": "forged-user", "iat": now, "exp": now + 300,
                  "nonce": request.get("nonce"), "email": "forged@example.com", "email_verified": True,
                  "cognito:username": "forged-user"}
        claims.update(self.scenario.get("claims", {}))
        claims = {k: v for k, v in claims.items() if v is not None}
        if self.scenario.get("alg") == "none":
            return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
        key = self.key
        if self.scenario.get("foreign_key"):
            # Same kid as the published key, different private key: the signature cannot verify.
            key = RSAKey.generate_key(2048, parameters={"kid": "real", "use": "sig", "alg": "RS256"})
        return jwt.encode({"alg": "RS256", "kid": "real"}, claims, key)

    @Request.application
    def _app(self, request: Request) -> Response:
        if request.path == "/.well-known/openid-configuration":
            return self._json({
                "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/oauth2/authorize",
                "token_endpoint": f"{self.issuer}/oauth2/token", "jwks_uri": f"{self.issuer}/.well-known/jwks.json",
                "end_session_endpoint": f"{self.issuer}/logout", "response_types_supported": ["code"],
                "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": self.algorithms,
                "code_challenge_methods_supported": ["S256"],
            })
        if request.path == "/.well-known/jwks.json":
            return self._json({"keys": [self.key.as_dict(private=False)]})
        if request.path == "/oauth2/authorize":
            code = secrets.token_urlsafe(16)
            self.codes[code] = request.args.to_dict()
            query = urlencode({"code": code, "state": request.args.get("state", "")})
            return Response(status=302, headers={"Location": f"{request.args['redirect_uri']}?{query}"})
        if request.path == "/oauth2/token" and request.method == "POST":
            self.token_requests.append(request.form.to_dict())
            authorization = self.codes.pop(request.form.get("code", ""), None)  # a code works once
            if authorization is None:
                return self._json({"error": "invalid_grant", "error_description": "code unknown or used"}, 400)
            body = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 300}
            if not self.scenario.get("no_id_token"):
                body["id_token"] = self.id_token(authorization)
            return self._json(body)
        return Response("not found", status=404)

    @staticmethod
    def _json(data: dict, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")
