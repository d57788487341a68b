#!/bin/sh
# deliver-maildir.sh MAILDIR: a minimal Maildir MDA for fetchmail's --mda
# (the benchmark's stand-in for maildrop or procmail).
#
# Reads one message on stdin, writes it to MAILDIR/tmp under a name no
# other file has (noclobber: the shell opens it O_EXCL), fsyncs it as
# mpop, getmail6 and popmuch do, and renames it into MAILDIR/new.  Three
# forks per message (cat, sync, mv), about what exec'ing a compiled MDA
# costs.  Exit 75 (EX_TEMPFAIL) on any failure, so fetchmail keeps the
# message on the server.
set -u
d=${1:?usage: deliver-maildir.sh MAILDIR}
umask 077
set -C
n=0
while :; do
	f=$d/tmp/fm.$PPID.$$.$n
	[ -e "$f" ] || [ -e "$d/new/${f##*/}" ] || {
		cat >"$f" && break
		[ -e "$f" ] || exit 75
	}
	n=$((n + 1))
	[ $n -lt 100 ] || exit 75
done
if sync -- "$f" && mv -- "$f" "$d/new/"; then
	exit 0
fi
rm -f -- "$f"
exit 75
