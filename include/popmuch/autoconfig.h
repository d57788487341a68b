/* autoconfig.h: the POP3 server of an address from Thunderbird's
 * autoconfig, for popmuch setup after the provider table and SRV.
 *
 * Tried in Thunderbird's order, over https only (a document that names
 * the server must not come from whoever sits on the network path):
 *   https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=ADDRESS
 *   https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml
 *   https://autoconfig.thunderbird.net/v1.1/DOMAIN   (the ISPDB)
 * The first document with a usable POP3 server wins: the first
 * <incomingServer type="pop3"> whose socketType is SSL (implicit TLS) or
 * STARTTLS, with a host name and a port; "plain" servers are passed
 * over.  %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% in the host
 * name and user name are replaced as Thunderbird does.  The XML is read
 * with GLib's GMarkup.
 *
 * POPMUCH_AUTOCONFIG_URL (for tests) replaces the three bases: with it
 * set to BASE, the documents are BASE/mail/config-v1.1.xml?emailaddress=
 * ADDRESS, BASE/.well-known/autoconfig/mail/config-v1.1.xml and
 * BASE/v1.1/DOMAIN (http is then accepted for a loopback address).
 * Never prints. */
#ifndef POPMUCH_AUTOCONFIG_H
#define POPMUCH_AUTOCONFIG_H

#include <stddef.h>

#include "popmuch/err.h"
#include "popmuch/setup.h"

/* The POP3 server in the autoconfig document xml (len bytes) for
 * address, into *srv (srv->how is left to the caller) and its user name
 * into user_r (size bytes; "" when the document names none).
 * Returns: PM_OK; PM_UNAVAILABLE when the document has no usable POP3
 * server (saying why); PM_PROTOCOL when it is not well-formed XML. */
enum pm_status autoconfig_parse(const char *xml, size_t len,
				const char *address, struct setup_server *srv,
				char *user_r, size_t size, struct pm_err *err);

/* Fetch the autoconfig documents for address in order (above) until one
 * names a usable POP3 server; srv->how says which.  Each request waits
 * at most timeout seconds.
 * Returns: PM_OK; PM_USAGE for a domain that is no host name;
 * PM_UNAVAILABLE when none does (err says what the last one answered). */
enum pm_status autoconfig_lookup(const char *address, int timeout,
				 struct setup_server *srv, char *user_r,
				 size_t size, struct pm_err *err);

#endif
