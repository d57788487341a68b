#!/bin/bash
# tui-bench.sh: the TUI's speed on a generated 100,000-message notmuch
# database (issue 6's targets).  A benchmark, not a test: not part of
# "make check"; it passes or fails nothing, it prints a table (and writes
# it to tests/bench/results/tui.md).
#
# The data set (tui-bench-gen.py: small messages, threads of 1 to ~15,
# one thread of exactly 200 messages) is generated once and indexed with
# "notmuch new", then cached under /tmp keyed by a version and the count,
# so reruns start at once.  Each round starts the real binary in a tmux
# pane with POPMUCH_TUI_BENCH set: the TUI times, as a person would see
# them (action, drawing, terminal update), the start to its first screen
# (from just before exec), PAGES page downs on the inbox of every thread,
# and opening the 200-message thread; then it quits.
#
# Environment:
#   POPMUCH             the popmuch binary (default: src/popmuch of the
#                       build this script is run from, else PATH)
#   TUI_BENCH_COUNT     messages (default 100000)
#   TUI_BENCH_ROUNDS    rounds (default 5); medians reported
#   TUI_BENCH_CACHE     where the data set is kept (default
#                       /tmp/popmuch-tui-bench-v1-COUNT)
#   BENCH_RESULTS       where tui.md goes (default tests/bench/results)
set -u
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COUNT=${TUI_BENCH_COUNT:-100000}
ROUNDS=${TUI_BENCH_ROUNDS:-5}
VERSION=1
CACHE=${TUI_BENCH_CACHE:-/tmp/popmuch-tui-bench-v$VERSION-$COUNT}
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
POPMUCH=${POPMUCH:-}
SOCK=popmuch-tui-bench-$$

say() { printf 'tui-bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

if [ -z "$POPMUCH" ]; then
	if [ -x src/popmuch ]; then
		POPMUCH=$PWD/src/popmuch
	else
		POPMUCH=$(command -v popmuch) || die "set POPMUCH"
	fi
fi
[ -x "$POPMUCH" ] || die "$POPMUCH is not executable"
command -v tmux >/dev/null || die "tmux is not installed"
command -v notmuch >/dev/null || die "notmuch is not installed"

# ---- the data set, cached ---------------------------------------------------
make_dataset()
{
	local t0 t1 t2

	say "generating $COUNT messages in $CACHE (once; cached)"
	rm -rf "$CACHE.tmp"
	mkdir -p "$CACHE.tmp" || die "cannot create $CACHE.tmp"
	cat >"$CACHE.tmp/notmuch-config" <<EOF
[database]
path=$CACHE/mail
[user]
name=Bench
primary_email=bench@example.org
[new]
tags=unread;inbox;
[maildir]
synchronize_flags=true
EOF
	t0=$EPOCHREALTIME
	python3 "$BENCH_DIR/tui-bench-gen.py" "$CACHE.tmp/mail" "$COUNT" ||
		die "generating the messages failed"
	t1=$EPOCHREALTIME
	# notmuch stores the absolute path: index in place under the final
	# name, and mark the cache complete only at the end
	rm -rf "$CACHE"
	mv "$CACHE.tmp" "$CACHE" || die "cannot rename the cache"
	NOTMUCH_CONFIG=$CACHE/notmuch-config notmuch new --quiet ||
		die "notmuch new failed"
	t2=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
		printf "generate_s=%.1f\nnotmuch_new_s=%.1f\n", b - a, c - b }' \
		>"$CACHE/timings"
	echo "$VERSION $COUNT" >"$CACHE/complete"
	say "generated in $(sed -n 's/generate_s=//p' "$CACHE/timings") s," \
		"indexed in $(sed -n 's/notmuch_new_s=//p' "$CACHE/timings") s"
}

[ "$(cat "$CACHE/complete" 2>/dev/null)" = "$VERSION $COUNT" ] || make_dataset
export NOTMUCH_CONFIG=$CACHE/notmuch-config
have=$(notmuch count '*')
[ "$have" = "$COUNT" ] || die "the cached database holds $have messages, not $COUNT; remove $CACHE"
CONF=$CACHE/popmuch.conf
printf 'account bench\nhost 127.0.0.1\n' >"$CONF"

# ---- rounds -----------------------------------------------------------------
WORK=$(mktemp -d /tmp/popmuch-tui-bench-run.XXXXXX) || die "mktemp"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT

# round N: run the TUI once; its figures land in $WORK/round.N
round()
{
	local out=$WORK/round.$1 i=0

	tmux -L "$SOCK" -f /dev/null new-session -d -x 100 -y 30 \
		-e "NOTMUCH_CONFIG=$NOTMUCH_CONFIG" -e "LANG=C.UTF-8" \
		-e "TERM=screen-256color" -e "POPMUCH_TUI_BENCH=$out" \
		-e "POPMUCH_TUI_BENCH_THREAD=subject:bench-thread-200" \
		"exec bash -c 'POPMUCH_TUI_BENCH_T0=\$EPOCHREALTIME exec \"$POPMUCH\" -C \"$CONF\" 2>$WORK/err.$1'"
	while [ ! -s "$out" ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	tmux -L "$SOCK" kill-server 2>/dev/null
	[ -s "$out" ] || die "round $1: no figures (stderr: $(cat "$WORK/err.$1"))"
	# the file is written whole before the TUI quits
	sleep 0.2
}

for r in $(seq 1 "$ROUNDS"); do
	round "$r"
	say "round $r: $(tr '\n' ' ' <"$WORK/round.$r")"
done

# notmuch search on the same database, for comparison: the first 30
# threads (popmuch's first screen), the last 30 (G) and the whole list,
# each the median of ROUNDS runs, in ms.
nm_ms()
{
	local r t0 t1 v=()

	for r in $(seq 1 "$ROUNDS"); do
		t0=$EPOCHREALTIME
		notmuch search "$@" tag:inbox >/dev/null
		t1=$EPOCHREALTIME
		v+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
	done
	printf '%s\n' "${v[@]}" | sort -g |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
nm_first=$(nm_ms --limit=30)
nm_last=$(nm_ms --offset=-30)
nm_all=$(nm_ms)
say "notmuch search: first 30 $nm_first ms, last 30 $nm_last ms, all $nm_all ms"

# median KEY: the median over the rounds
median()
{
	sed -n "s/^$1=//p" "$WORK"/round.* | sort -g |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

verdict()
{
	awk -v v="$1" -v t="$2" 'BEGIN { print (v + 0 < t + 0) ? "yes" : "**no**" }'
}

first=$(median first_screen_ms)
pg=$(median pgdn_median_ms)
pgmax=$(median pgdn_max_ms)
pgfirst=$(median pgdn_first_ms)
thread=$(median thread_ms)
bottom=$(median bottom_ms)
top=$(median top_ms)
btitle=$(sed -n 's/^bottom_title=//p' "$WORK/round.1")
title=$(sed -n 's/^thread_title=//p' "$WORK/round.1")
asan=no
if nm -D "$POPMUCH" 2>/dev/null | grep -q __asan_init ||
	nm "$POPMUCH" 2>/dev/null | grep -q __asan_init; then
	asan="yes (figures are slower than a normal build)"
fi
mkdir -p "$RESULTS"
{
	echo "# TUI benchmark"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores, $COUNT messages" \
		"($(notmuch count --output=threads '*') threads), inbox of every" \
		"message, 100x30 tmux pane, medians of $ROUNDS rounds;" \
		"ASan linked in: $asan."
	echo "Data set generated in $(sed -n 's/generate_s=//p' "$CACHE/timings") s," \
		"\`notmuch new\` took $(sed -n 's/notmuch_new_s=//p' "$CACHE/timings") s (cached in $CACHE)."
	echo
	echo "| measure | target | measured | met |"
	echo "|---|---|---|---|"
	echo "| start to first screen | < 300 ms | $first ms | $(verdict "$first" 300) |"
	echo "| page down (median of $(median pgdn_count)) | < 16 ms | $pg ms | $(verdict "$pg" 16) |"
	echo "| page down (slowest) | < 16 ms | $pgmax ms | $(verdict "$pgmax" 16) |"
	echo "| first page down | < 16 ms | $pgfirst ms | $(verdict "$pgfirst" 16) |"
	echo "| G (last line) after the pages | < 100 ms | $bottom ms | $(verdict "$bottom" 100) |"
	echo "| g (first line) after G | < 100 ms | $top ms | $(verdict "$top" 100) |"
	echo "| open a thread of 200 messages | < 100 ms | $thread ms | $(verdict "$thread" 100) |"
	echo
	echo "\`notmuch search tag:inbox\` on the same database (medians of $ROUNDS runs):" \
		"the first 30 threads (\`--limit=30\`) $nm_first ms, the last 30" \
		"(\`--offset=-30\`) $nm_last ms, the whole list $nm_all ms."
	echo
	echo "Thread opened: \`$title\`; after G: \`$btitle\`."
} >"$RESULTS/tui.md"
cat "$RESULTS/tui.md"
