#!/usr/bin/python3
# oauth2server.py: a real OAuth2 authorization server on 127.0.0.1 for
# the tests, built on authlib (python3-authlib): an authorization endpoint
# (code flow with PKCE S256 required), a token endpoint (authorization
# code, refresh token with rotation: the old one is revoked, device code),
# a device authorization endpoint (RFC 8628), and an introspection
# endpoint (RFC 7662) that Dovecot's oauth2 passdb asks about each token.
#
# Usage: oauth2server.py USER CLIENT_ID CLIENT_SECRET_FILE
#        INTROSPECT_SECRET_FILE LOG
# (secrets in files: never on a command line, where ps shows them)
# Prints its port on stdout.  The person is played by the test: GET
# /authorize shows the consent page, POST /authorize with approve=yes
# (or no) redirects to the client; POST /device with user_code and
# approve=yes|no decides a device code.  POST /control (form) changes
# behaviour: issue=1 answers with a fresh access token for USER (for
# tests that bring their own token); expire=all makes every access
# token expire now (refresh tokens still work); revoke=all revokes every
# token;
# slow_down=N answers the next
# N device polls with slow_down; device_lifetime=S makes new device codes
# expire after S seconds (while still announcing 600).  LOG gets one line
# per token-endpoint answer ("token GRANT -> RESULT") and per introspection
# ("introspect -> active|inactive"); no token ever.
import html
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

os.environ['AUTHLIB_INSECURE_TRANSPORT'] = '1'  # loopback http

from authlib.oauth2 import AuthorizationServer  # noqa: E402
from authlib.oauth2.rfc6749 import OAuth2Request, grants  # noqa: E402
from authlib.oauth2.rfc6749.models import ClientMixin  # noqa: E402
from authlib.oauth2.rfc6750 import BearerTokenGenerator  # noqa: E402
from authlib.oauth2.rfc7636 import CodeChallenge  # noqa: E402
from authlib.oauth2.rfc7662 import IntrospectionEndpoint  # noqa: E402
from authlib.oauth2.rfc8628 import (  # noqa: E402
    DeviceAuthorizationEndpoint, DeviceCodeGrant, DEVICE_CODE_GRANT_TYPE)

USER, CLIENT_ID, LOG = sys.argv[1], sys.argv[2], sys.argv[5]
CLIENT_SECRET = open(sys.argv[3]).read().strip()
INTRO_SECRET = open(sys.argv[4]).read().strip()
LOCK = threading.RLock()
TOKENS = {}      # access or refresh token -> Token
CODES = {}       # authorization code -> dict
DEVICES = {}     # device code -> Device
GRANTS = {}      # user code -> (user, approved)
CONTROL = {'slow_down': 0, 'device_lifetime': 600}
PORT = [0]


def log(line):
    with LOCK, open(LOG, 'a') as f:
        f.write('%.3f %s\n' % (time.time(), line))


class Client(ClientMixin):
    def __init__(self, cid, secret, grant_types, auth_methods):
        self.client_id, self.secret = cid, secret
        self.grant_types, self.auth_methods = grant_types, auth_methods

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        return scope

    def check_redirect_uri(self, uri):
        # RFC 8252 7.3: any port on the loopback address
        u = urllib.parse.urlsplit(uri)
        return u.scheme == 'http' and u.hostname == '127.0.0.1'

    def check_client_secret(self, secret):
        return secrets.compare_digest(secret, self.secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in self.auth_methods

    def check_response_type(self, response_type):
        return response_type == 'code'

    def check_grant_type(self, grant_type):
        return grant_type in self.grant_types


CLIENTS = {
    CLIENT_ID: Client(CLIENT_ID, CLIENT_SECRET,
                      ['authorization_code', 'refresh_token',
                       DEVICE_CODE_GRANT_TYPE], ['client_secret_post']),
    'dovecot': Client('dovecot', INTRO_SECRET, [], ['client_secret_basic']),
}


class Token(dict):
    def check_client(self, client):
        return self['client_id'] == client.get_client_id()

    def get_scope(self):
        return self.get('scope')

    def get_expires_in(self):
        return self.get('expires_in', 0)

    def is_expired(self):
        return self['issued_at'] + self['expires_in'] < time.time()

    def is_revoked(self):
        return self.get('revoked', False)

    def get_client_id(self):
        return self['client_id']


class Device(dict):
    def get_client_id(self):
        return self['client_id']

    def get_scope(self):
        return self['scope']

    def get_user_code(self):
        return self['user_code']

    def is_expired(self):
        return self['expires_at'] < time.time()


class Server(AuthorizationServer):
    def query_client(self, client_id):
        return CLIENTS.get(client_id)

    def save_token(self, token, request):
        with LOCK:
            t = Token(token, client_id=request.client.get_client_id(),
                      user=request.user, issued_at=time.time())
            TOKENS[token['access_token']] = t
            if token.get('refresh_token'):
                TOKENS[token['refresh_token']] = t

    def create_oauth2_request(self, request):
        return request

    def handle_response(self, status, body, headers):
        return status, body, headers

    def send_signal(self, name, *args, **kwargs):
        pass


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_post']

    def save_authorization_code(self, code, request):
        with LOCK:
            CODES[code] = dict(
                code=code, client_id=request.client.get_client_id(),
                redirect_uri=request.redirect_uri, scope=request.scope,
                user=request.user,
                code_challenge=request.data.get('code_challenge'),
                code_challenge_method=request.data.get(
                    'code_challenge_method'))

    def query_authorization_code(self, code, client):
        c = CODES.get(code)
        if c and c['client_id'] == client.get_client_id():
            return CodeObj(c)
        return None

    def delete_authorization_code(self, code):
        CODES.pop(code.code, None)

    def authenticate_user(self, code):
        return code.user


class CodeObj:
    def __init__(self, d):
        self.__dict__.update(d)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_post']
    INCLUDE_NEW_REFRESH_TOKEN = True  # rotation

    def authenticate_refresh_token(self, refresh_token):
        t = TOKENS.get(refresh_token)
        if t and t.get('refresh_token') == refresh_token and \
                not t.is_revoked():
            return t
        return None

    def authenticate_user(self, credential):
        return credential['user']

    def revoke_old_credential(self, credential):
        credential['revoked'] = True  # the old access and refresh token


class DeviceGrant(DeviceCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ['client_secret_post']

    def query_device_credential(self, device_code):
        return DEVICES.get(device_code)

    def query_user_grant(self, user_code):
        return GRANTS.get(user_code)

    def should_slow_down(self, credential):
        with LOCK:
            if CONTROL['slow_down'] > 0:
                CONTROL['slow_down'] -= 1
                return True
        return False


class DeviceEndpoint(DeviceAuthorizationEndpoint):
    CLIENT_AUTH_METHODS = ['client_secret_post']
    INTERVAL = 1

    def get_verification_uri(self):
        return 'http://127.0.0.1:%d/device' % PORT[0]

    def save_device_credential(self, client_id, scope, data):
        with LOCK:
            DEVICES[data['device_code']] = Device(
                data, client_id=client_id, scope=scope,
                expires_at=time.time() + CONTROL['device_lifetime'])
        data['expires_in'] = 600


class Introspect(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ['client_secret_basic']

    def query_token(self, token, hint):
        t = TOKENS.get(token)
        return t if t and t['access_token'] == token else None

    def introspect_token(self, token):
        return {'active': True, 'username': token['user'],
                'client_id': token['client_id'], 'scope': token['scope']}

    def check_permission(self, token, client, request):
        return True


server = Server()
server.register_token_generator('default', BearerTokenGenerator(
    lambda **kw: 'at-' + secrets.token_urlsafe(24),
    lambda **kw: 'rt-' + secrets.token_urlsafe(24),
    lambda client, grant_type: 3600))
server.register_grant(CodeGrant, [CodeChallenge(required=True)])
server.register_grant(RefreshGrant)
server.register_grant(DeviceGrant)
server.register_endpoint(DeviceEndpoint)
server.register_endpoint(Introspect)


def page(title, body):
    return ('<!doctype html><title>%s</title><h1>%s</h1>%s' %
            (title, title, body)).encode()


class H(BaseHTTPRequestHandler):
    def form(self):
        n = int(self.headers.get('Content-Length') or 0)
        return dict(urllib.parse.parse_qsl(self.rfile.read(n).decode()))

    def send(self, status, body, headers=()):
        if isinstance(body, dict):
            body = json.dumps(body).encode()
            headers = list(headers) + [('Content-Type', 'application/json')]
        self.send_response(status)
        for k, v in headers:
            if k.lower() != 'content-length':
                self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def oreq(self, body=None):
        uri = 'http://127.0.0.1:%d%s' % (PORT[0], self.path)
        return OAuth2Request(self.command, uri, body, dict(self.headers))

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == '/authorize':
            req = self.oreq()
            try:
                server.get_consent_grant(req, end_user=USER)
            except Exception as e:  # an invalid request: no consent page
                return self.send(400, page('Invalid request', str(e)))
            q = urllib.parse.urlsplit(self.path).query
            hidden = ''.join(
                '<input type="hidden" name="%s" value="%s">' %
                (html.escape(k), html.escape(v))
                for k, v in urllib.parse.parse_qsl(q))
            return self.send(200, page(
                'Sign in as %s' % USER,
                '<form method="post" action="/authorize">%s'
                '<button name="approve" value="yes">Allow</button>'
                '<button name="approve" value="no">Deny</button></form>'
                % hidden))
        if path == '/device':
            return self.send(200, page('Enter the code', '<form '
                             'method="post"><input name="user_code">'
                             '<button name="approve" value="yes">Allow'
                             '</button></form>'))
        self.send(404, b'not found')

    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        form = self.form()
        with LOCK:
            if path == '/authorize':
                user = USER if form.get('approve') == 'yes' else None
                return self.send(*server.create_authorization_response(
                    self.oreq(form), grant_user=user))
            if path == '/token':
                status, body, hdrs = server.create_token_response(
                    self.oreq(form))
                log('token %s -> %s' % (form.get('grant_type'),
                                        body.get('error', 'ok')))
                return self.send(status, body, hdrs)
            if path == '/device_authorization':
                return self.send(*server.create_endpoint_response(
                    'device_authorization', self.oreq(form)))
            if path == '/device':
                GRANTS[form.get('user_code', '')] = (
                    USER, form.get('approve') == 'yes')
                return self.send(200, page('Done', ''))
            if path == '/introspect':
                status, body, hdrs = server.create_endpoint_response(
                    'introspection', self.oreq(form))
                log('introspect -> %s' % (
                    'active' if body.get('active') else 'inactive'))
                return self.send(status, body, hdrs)
            if path == '/control':
                if form.get('expire') == 'all':  # access tokens only
                    for t in TOKENS.values():
                        t['issued_at'] = time.time() - 86400
                if form.get('revoke') == 'all':
                    for t in TOKENS.values():
                        t['revoked'] = True
                if form.get('issue'):  # a token for USER, no grant
                    tok = {'token_type': 'Bearer', 'expires_in': 3600,
                           'access_token': 'at-' + secrets.token_urlsafe(24),
                           'scope': 'mail'}
                    TOKENS[tok['access_token']] = Token(
                        tok, client_id=CLIENT_ID, user=USER,
                        issued_at=time.time())
                    return self.send(200, tok['access_token'].encode())
                for k in ('slow_down', 'device_lifetime'):
                    if k in form:
                        CONTROL[k] = int(form[k])
                return self.send(200, b'ok')
        self.send(404, b'not found')

    def log_message(self, fmt, *args):
        # the path only: query strings carry codes and states
        sys.stderr.write('%s %s\n' % (self.command,
                         urllib.parse.urlsplit(self.path).path))


httpd = ThreadingHTTPServer(('127.0.0.1', 0), H)
PORT[0] = httpd.server_address[1]
print(PORT[0], flush=True)
httpd.serve_forever()
