#!/bin/bash
# t-install: "make install" installs everything popmuch(1) names (binary,
# man pages, bash and zsh completion, systemd user units running the
# installed binary, the example config and crontab under
# docdir/examples), and "make uninstall" removes all of it.  Into a
# DESTDIR under $T, from the build tree under test.
[ -n "${BASH_VERSION:-}" ] || exec /bin/bash "$0" "$@"
. "$(dirname "$0")/lib.sh"

pm_world
d=$T/inst
# make's own variables: the directories configure chose
mkvar()
{
	MAKEFLAGS= ${MAKE:-make} -s -C "$TOP_BUILDDIR" --no-print-directory \
		-f Makefile -f - print-var VAR="$1" <<'EOF'
print-var:
	@echo $($(VAR))
EOF
}
t_ok "make install DESTDIR" \
	${MAKE:-make} -C "$TOP_BUILDDIR" install DESTDIR="$d"
bindir=$(mkvar bindir)
docdir=$(mkvar docdir)
for f in "$bindir/popmuch" "$(mkvar mandir)/man1/popmuch.1" \
	"$(mkvar mandir)/man5/popmuch.conf.5" \
	"$(mkvar bashcompletiondir)/popmuch" \
	"$(mkvar zshcompletiondir)/_popmuch" \
	"$(mkvar systemduserunitdir)/popmuch-fetch.service" \
	"$(mkvar systemduserunitdir)/popmuch-fetch.timer" \
	"$docdir/examples/popmuch.conf.example" \
	"$docdir/examples/crontab.example"; do
	t_ok "installed: $f" test -s "$d$f"
done
t_like "bash completion under bash-completion's completions dir" \
	"$(mkvar bashcompletiondir)" '/bash-completion/completions$'
t_like "zsh completion under site-functions" "$(mkvar zshcompletiondir)" \
	'/zsh/site-functions$'
exec_start=$(sed -n 's/^ExecStart=//p' \
	"$d$(mkvar systemduserunitdir)/popmuch-fetch.service")
t_is "the unit runs the installed binary" "$exec_start" \
	"$bindir/popmuch fetch"
t_ok "... which is there and runs" "$d$bindir/popmuch" --version
t_is "mandoc -Tlint: both man pages clean" \
	"$(mandoc -Tlint "$TOP_SRCDIR/doc/popmuch.1" \
		"$TOP_SRCDIR/doc/popmuch.conf.5" 2>&1)" ""
t_ok "make uninstall DESTDIR" \
	${MAKE:-make} -C "$TOP_BUILDDIR" uninstall DESTDIR="$d"
t_is "nothing is left" "$(find "$d" -type f | wc -l)" 0
t_done
