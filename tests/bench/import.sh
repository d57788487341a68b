#!/bin/bash
# import.sh: "make bench-import" (also run by "make bench").
# popmuch import beside `notmuch insert` once per message and beside
# mb2md + `notmuch new`, on the same mbox: 10,000 generated messages
# (genmail.py, as case (a) of run.sh) plus a second copy of every 20th
# (500 duplicates inside the archive), written mboxrd by genmbox.py.
# Each tool runs from a fresh mail root, then once more on the same
# mbox (a second import of the same archive).  Columns: wall time, files
# in the Maildir, duplicate files (files minus distinct messages in
# notmuch), peak RSS (/usr/bin/time, largest process).
#
# Environment: POPMUCH (make sets it), BENCH_QUICK=1 (1,000 messages),
# BENCH_IMPORT_RERUN=0 (no second run: notmuch insert takes long),
# BENCH_IMPORT_TOOLS (default "popmuch insert mb2md"),
# BENCH_RESULTS (default tests/bench/results), KEEP_TEST_TMP.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PM_TAP=0
# shellcheck source=../integration/lib.sh
. "$BENCH_DIR/../integration/lib.sh"

COUNT=10000
[ "${BENCH_QUICK:-0}" = 1 ] && COUNT=1000
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
TIME=/usr/bin/time
for tool in "$TIME" notmuch mb2md python3; do
	command -v "$tool" >/dev/null ||
		{ echo "bench-import: $tool is missing (contrib/install-deps)" >&2; exit 1; }
done

pm_world
python3 "$BENCH_DIR/genmail.py" --maildir "$T/gen" --count "$COUNT" \
	--seed 4711 >/dev/null
read -r MSGS DISTINCT BYTES < <(python3 "$BENCH_DIR/genmbox.py" \
	"$T/gen" "$T/archive.mbox" --dup-every 20)
rm -rf "$T/gen"
# notmuch insert reads one message per run: split beforehand (not timed)
mkdir -p "$T/split"
python3 - "$T/archive.mbox" "$T/split" <<'PY'
import mailbox, sys
for i, m in enumerate(mailbox.mbox(sys.argv[1])):
    with open("%s/%06d" % (sys.argv[2], i), "wb") as f:
        f.write(m.as_bytes(unixfrom=False))
PY

fresh()
{
	rm -rf "$MAIL_ROOT"
	mkdir -p "$MAIL_ROOT"
	notmuch new >/dev/null 2>&1
}

# measure FUNCTION: "seconds KB" of the shell function FUNCTION, run in
# a bash of its own under /usr/bin/time (RSS: its largest process)
measure()
{
	"$TIME" -f '%e %M' -o "$T/time" bash -c "$(declare -f "$1"); $1" \
		>/dev/null 2>"$T/stderr" ||
		echo "bench-import: $1 failed: $(tail -3 "$T/stderr")" >&2
	tail -1 "$T/time"
}

popmuch_run()
{
	"$POPMUCH" -q import "$T/archive.mbox"
}

insert_run()
{
	for f in "$T"/split/*; do
		notmuch insert --folder=insert --create-folder <"$f" || return 1
	done
}

mb2md_run()
{
	mb2md -s "$T/archive.mbox" -d "$MAIL_ROOT/mb2md" >/dev/null &&
		notmuch new >/dev/null 2>&1
}

row()
{
	local name=$1 dir=$2 t1 t2 files dups
	t1=$(measure "${name}_run")
	t2="- 0"
	[ "${BENCH_IMPORT_RERUN:-1}" = 1 ] && t2=$(measure "${name}_run")
	files=$(find "$MAIL_ROOT/$dir" -type f -path '*/cur/*' -o -type f \
		-path '*/new/*' 2>/dev/null | wc -l)
	dups=$((files - $(notmuch count '*')))
	printf '| %s | %s s | %s s | %s | %s | %.1f MB |\n' "$3" \
		"${t1% *}" "${t2% *}" "$files" "$dups" \
		"$(echo "${t1#* } ${t2#* }" | awk '{print ($1>$2?$1:$2)/1024}')"
}

out=$RESULTS/import.md
mkdir -p "$RESULTS"
{
	echo "# popmuch import vs notmuch insert vs mb2md + notmuch new"
	echo
	echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -r)," \
		"$MSGS messages ($DISTINCT distinct, $((BYTES / 1000000)) MB) in one mboxrd file."
	ldd "$POPMUCH" 2>/dev/null | grep -q libasan &&
		echo "popmuch is built with ASan: its figures are not worth quoting."
	echo
	echo "| tool | first run | second run (same mbox) | files after both | duplicate files | peak RSS |"
	echo "|---|---:|---:|---:|---:|---:|"
	for tool in ${BENCH_IMPORT_TOOLS:-popmuch insert mb2md}; do
		fresh
		case $tool in
		popmuch) row popmuch import "popmuch import" ;;
		insert) row insert insert "notmuch insert, per message" ;;
		mb2md) row mb2md mb2md "mb2md + notmuch new" ;;
		esac
	done
} | tee "$out"
