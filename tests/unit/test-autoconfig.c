/* test-autoconfig.c: reading Thunderbird autoconfig documents
 * (autoconfig_parse): the first usable POP3 server, placeholders, TLS
 * modes, what is refused. */
#include "config.h"

#include <string.h>

#include "popmuch/autoconfig.h"
#include "tap.h"

#define ADDR "jo@example.org"

/* A document with the given incomingServer elements. */
#define DOC(servers)                                                           \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                         \
	"<!-- a comment -->\n"                                                 \
	"<clientConfig version=\"1.1\">\n"                                     \
	" <emailProvider id=\"example.org\">\n"                                \
	"  <domain>example.org</domain>\n"                                     \
	"  <displayName>Example &amp; Co</displayName>\n" servers              \
	"  <outgoingServer type=\"smtp\"><hostname>smtp.example.org"           \
	"</hostname><port>465</port></outgoingServer>\n"                       \
	" </emailProvider>\n"                                                  \
	"</clientConfig>\n"

#define SERVER(type, host, port, sock, user)                                   \
	"  <incomingServer type=\"" type "\">\n"                               \
	"   <hostname> " host " </hostname>\n"                                 \
	"   <port>" port "</port>\n"                                           \
	"   <socketType>" sock "</socketType>\n"                               \
	"   <username>" user "</username>\n"                                   \
	"   <authentication>password-cleartext</authentication>\n"             \
	"   <pop3><leaveMessagesOnServer>true</leaveMessagesOnServer>"         \
	"<hostname>not.this</hostname></pop3>\n"                               \
	"  </incomingServer>\n"

static enum pm_status
parse(const char *doc, struct setup_server *srv, char *user, size_t size)
{
	struct pm_err err;

	memset(srv, 0, sizeof(*srv));
	return autoconfig_parse(doc, strlen(doc), ADDR, srv, user, size, &err);
}

int
main(void)
{
	struct setup_server srv;
	char user[64];
	struct pm_err err;
	const char *doc;

	doc =
	    DOC(SERVER("imap", "imap.example.org", "993", "SSL", "x") SERVER(
		"pop3", "pop.%EMAILDOMAIN%", "995", "SSL", "%EMAILLOCALPART%")
		    SERVER("pop3", "pop2.example.org", "110", "STARTTLS", "y"));
	is_int(parse(doc, &srv, user, sizeof(user)), PM_OK,
	       "the first pop3 server, past the imap one");
	is_str(srv.host, "pop.example.org", "%%EMAILDOMAIN%% replaced");
	is_int((int)srv.port, 995, "its port");
	is_int(srv.implicit_tls, 1, "SSL is implicit TLS");
	is_str(user, "jo", "%%EMAILLOCALPART%% in the user name");
	ok(srv.oauth2 == NULL, "no OAuth2 provider");

	doc = DOC(
	    SERVER("pop3", "pop.example.org", "110", "plain", "%EMAILADDRESS%")
		SERVER("pop3", "pop.example.org", "110", "STARTTLS",
		       "%EMAILADDRESS%"));
	is_int(parse(doc, &srv, user, sizeof(user)), PM_OK,
	       "a plain server is passed over for the next");
	is_int(srv.implicit_tls, 0, "STARTTLS is STLS");
	is_int((int)srv.port, 110, "... on 110");
	is_str(user, ADDR, "%%EMAILADDRESS%%");

	doc = DOC(SERVER("pop3", "pop.example.org", "110", "plain", "x"));
	is_int(autoconfig_parse(doc, strlen(doc), ADDR, &srv, user,
				sizeof(user), &err),
	       PM_UNAVAILABLE, "only a plain server: unavailable");
	ok(strstr(err.msg, "plain") != NULL, "... saying so: %s", err.msg);
	is_str(user, "", "... and no user");

	doc = DOC(SERVER("imap", "imap.example.org", "993", "SSL", "x"));
	is_int(autoconfig_parse(doc, strlen(doc), ADDR, &srv, user,
				sizeof(user), &err),
	       PM_UNAVAILABLE, "no pop3 server: unavailable");
	ok(strstr(err.msg, "no POP3 server") != NULL, "... saying so: %s",
	   err.msg);

	doc = DOC(SERVER("pop3", "pop.example.org;rm -rf", "995", "SSL", "x"));
	is_int(parse(doc, &srv, user, sizeof(user)), PM_UNAVAILABLE,
	       "a host name with ';' and a blank is refused");
	doc = DOC(SERVER("pop3", "pop.example.org", "99999", "SSL", "x"));
	is_int(parse(doc, &srv, user, sizeof(user)), PM_UNAVAILABLE,
	       "port 99999 is refused");
	doc = DOC(SERVER("pop3", "pop.example.org", "0", "SSL", "x"));
	is_int(parse(doc, &srv, user, sizeof(user)), PM_UNAVAILABLE,
	       "port 0 is refused");
	doc = DOC(SERVER("pop3", "pop.example.org", "-5", "SSL", "x"));
	is_int(parse(doc, &srv, user, sizeof(user)), PM_UNAVAILABLE,
	       "a negative port is refused");

	doc = "<clientConfig><incomingServer type=\"pop3\"><hostname>a"
	      "</incomingServer></clientConfig>";
	is_int(autoconfig_parse(doc, strlen(doc), ADDR, &srv, user,
				sizeof(user), &err),
	       PM_PROTOCOL, "mismatched tags: not well-formed");
	ok(strstr(err.msg, "not an autoconfig document") != NULL,
	   "... saying so: %s", err.msg);
	doc = "<html><body>404 Not Found</body>";
	is_int(parse(doc, &srv, user, sizeof(user)), PM_PROTOCOL,
	       "an unfinished HTML page: not well-formed");
	is_int(parse("", &srv, user, sizeof(user)), PM_PROTOCOL,
	       "an empty body: not well-formed");
	is_int(autoconfig_parse(doc, strlen(doc), "no-at-sign", &srv, user,
				sizeof(user), &err),
	       PM_USAGE, "an address without @: usage");
	is_int(autoconfig_lookup("jo@exa mple.org", 1, &srv, user, sizeof(user),
				 &err),
	       PM_USAGE, "lookup: a domain with a blank is no host name");
	is_int(autoconfig_lookup("jo@x/y", 1, &srv, user, sizeof(user), &err),
	       PM_USAGE, "lookup: a domain with a '/' is refused");
	return done_testing();
}
