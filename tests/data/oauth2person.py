#!/usr/bin/python3
# oauth2person.py: the person at the browser, for the tests.
#
#   oauth2person.py code URL [approve|deny] [wrong-state|wrong-challenge]
#       open the authorization URL popmuch printed, answer the consent
#       page, then follow the redirect to popmuch's loopback listener;
#       prints the listener's HTTP status.
#   oauth2person.py device VERIFICATION_URI USER_CODE [approve|deny]
#       enter the user code on the device page.
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def post(url, fields):
    data = urllib.parse.urlencode(fields).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        r = opener.open(urllib.request.Request(url, data), timeout=10)
        return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def get(url):
    try:
        r = urllib.request.urlopen(url, timeout=20)
        return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def code_flow(url, decision, tamper):
    u = urllib.parse.urlsplit(url)
    params = dict(urllib.parse.parse_qsl(u.query))
    if tamper == 'wrong-challenge':  # an attacker's challenge
        params['code_challenge'] = 'A' * 43
    url = urllib.parse.urlunsplit(u._replace(
        query=urllib.parse.urlencode(params)))
    status, body = get(url)
    if status != 200 or b'<form' not in body:
        sys.exit('no consent page: HTTP %d' % status)
    params['approve'] = 'yes' if decision == 'approve' else 'no'
    status, headers, _ = post('%s://%s/authorize' % (u.scheme, u.netloc),
                              params)
    loc = headers.get('Location')
    if status != 302 or not loc:
        sys.exit('no redirect: HTTP %d' % status)
    if tamper == 'wrong-state':
        r = urllib.parse.urlsplit(loc)
        q = dict(urllib.parse.parse_qsl(r.query))
        q['state'] = 'forged-' + q.get('state', '')
        loc = urllib.parse.urlunsplit(r._replace(
            query=urllib.parse.urlencode(q)))
    status, _ = get(loc)
    print(status)


def device(uri, code, decision):
    status, _ = get(uri)
    if status != 200:
        sys.exit('no device page: HTTP %d' % status)
    status, _, _ = post(uri, {'user_code': code,
                              'approve': 'yes' if decision == 'approve'
                              else 'no'})
    print(status)


if sys.argv[1] == 'code':
    code_flow(sys.argv[2], (sys.argv[3:4] or ['approve'])[0],
              (sys.argv[4:5] or [''])[0])
else:
    device(sys.argv[2], sys.argv[3], (sys.argv[4:5] or ['approve'])[0])
