#!/bin/sh
# editor.sh FILE: the $EDITOR of the compose tests.  Keeps the draft as
# popmuch wrote it in $T/draft.in, then edits it with the sed script
# $EDIT_SED (none: left unchanged; "EMPTY": the file emptied).
cp "$1" "$T/draft.in" || exit 1
case "${EDIT_SED:-}" in
"") ;;
EMPTY) : >"$1" ;;
*) sed -i -e "$EDIT_SED" "$1" || exit 1 ;;
esac
