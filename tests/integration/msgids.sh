#!/bin/bash
# msgids.sh: who holds which seeded message, by Message-ID, for the
# tests that kill popmuch (sourced after lib.sh: t-crash, t-storm).  They work on account $V (its POP3
# user) and its Maildir $BOX.

# The regular files directly in the directories named, NUL-separated.
files_in()
{
	find "$@" -maxdepth 1 -type f -print0 2>/dev/null
}

# Sorted Message-ID lines of the files named (NUL-separated) on stdin.
ids_of()
{
	xargs -0 -r grep -h -i -m1 '^Message-ID:' | tr -d '\r' |
		LC_ALL=C sort
}

local_ids()
{
	files_in "$BOX/new" "$BOX/cur" | ids_of
}

server_ids()
{
	local m
	m=$(server_maildir "$V")
	files_in "$m/new" "$m/cur" | ids_of
}

seeded_ids()
{
	files_in "$T/seed/$V" | ids_of
}

# What is wrong with the state a kill left ("" when nothing): a message
# twice in the Maildir, or a seeded one neither there nor on the server.
doubled_or_lost()
{
	local dup lost why=''

	dup=$(local_ids | uniq -d | head -n 3)
	lost=$(LC_ALL=C comm -23 <(seeded_ids) \
		<({ local_ids; server_ids; } | LC_ALL=C sort -u) | head -n 3)
	[ -z "$dup" ] || why="$why delivered twice: $dup;"
	[ -z "$lost" ] || why="$why neither on the server nor local: $lost;"
	printf '%s' "$why"
}
