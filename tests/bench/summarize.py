#!/usr/bin/env python3
"""summarize.py: the benchmark's raw rounds -> Markdown table and PNG chart.

Reads the rounds run.sh recorded (TSV: case, tool, round, fetch s, index s,
fetch peak RSS kB, index peak RSS kB, ok|failed, note), the case list
(TSV: id, label, time|rss|text) and the sizes of the tools' state after case
(c)'s first fetch (TSV: case, tool, file, bytes); writes a Markdown report
with medians, ratios to the best peer and issues 7 and 16's targets, and a
gnuplot bar chart.  Every (case, tool) that was asked for gets a row; a
failure says why.  The tool "floor" is case (c)'s server floor
(pollfloor.py); its ok rounds carry "net=SECONDS" in the note.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys

TOOLS = ["popmuch", "mpop", "fetchmail", "getmail", "notmuch", "floor"]
PEERS = ["mpop", "fetchmail", "getmail"]
LABEL = {
    "popmuch": "popmuch fetch (indexes itself)",
    "mpop": "mpop + notmuch new",
    "fetchmail": "fetchmail (MDA) + notmuch new",
    "getmail": "getmail6 + notmuch new",
    "notmuch": "notmuch new alone (floor)",
    "floor": "server floor: raw pipelined STAT+UIDL client",
}
SHORT = {"popmuch": "popmuch", "mpop": "mpop", "fetchmail": "fetchmail",
         "getmail": "getmail6", "notmuch": "notmuch new alone",
         "floor": "server floor"}


def num(s):
    try:
        return float(s)
    except ValueError:
        return None


def load(path, width):
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < width:
                p += [""] * (width - len(p))
            rows.append(p)
    return rows


class Cell:
    """The medians of one (case, tool) over its successful rounds."""

    def __init__(self, rounds):
        ok = [r for r in rounds if r[7] == "ok"]
        self.n = len(rounds)
        self.nok = len(ok)
        self.notes = [r[8] for r in rounds if r[7] != "ok" and r[8]]
        self.extra = sorted(set(r[8] for r in ok
                                if r[8] and not r[8].startswith("net=")))

        def med(vals):
            vals = [v for v in vals if v is not None]
            return statistics.median(vals) if vals else None

        self.fetch = med(num(r[3]) for r in ok)
        self.index = med(num(r[4]) for r in ok)
        self.total = med((num(r[3]) or 0) + (num(r[4]) or 0) for r in ok)
        self.rss_f = med(num(r[5]) for r in ok)
        self.rss_i = med(num(r[6]) for r in ok)
        peaks = []
        for r in ok:
            v = [x for x in (num(r[5]), num(r[6])) if x is not None]
            peaks.append(max(v) if v else None)
        self.rss = med(peaks)
        # The floor's own connect-to-EOF time (no interpreter start-up).
        self.net = med(num(r[8][4:]) for r in ok if r[8].startswith("net="))

    def ok(self):
        return self.nok > 0

    def why(self):
        if not self.notes:
            return "failed"
        # The most common reason, then how many rounds it was.
        top = max(set(self.notes), key=self.notes.count)
        return "failed (%d of %d rounds): %s" % (
            self.n - self.nok, self.n, top)


def secs(v):
    if v is None:
        return "—"
    if v < 10:
        return "%.2f" % v
    return "%.1f" % v


def mb(kb):
    if kb is None:
        return "—"
    return "%.1f" % (kb / 1024.0)


def esc(s):
    return s.replace("|", "/").replace("\n", " ")


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem = "%.1f GiB" % (int(line.split()[1]) / 1048576.0)
                    break
    except OSError:
        pass
    return "%d × %s, %s RAM, Linux %s" % (
        len(os.sched_getaffinity(0)), model, mem, platform.release())


def version(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    for line in (p.stdout + p.stderr).splitlines():
        if "WARNING" in line or not line.strip():
            continue
        return line.strip()
    return "?"


def ratio_text(v, best, is_best):
    if v is None or best is None or best == 0:
        return "—"
    r = v / best
    return "%.2f%s" % (r, " (best)" if is_best else "")


def case_rows(label, kind, cells, setup, sizes):
    out = []
    peers = {t: cells[t] for t in PEERS if t in cells and cells[t].ok()}
    key = (lambda c: c.total) if kind == "time" else (lambda c: c.rss)
    best_tool = None
    if peers:
        best_tool = min(peers, key=lambda t: key(peers[t]))
    best = key(peers[best_tool]) if best_tool else None
    for t in TOOLS:
        if t not in cells:
            continue
        c = cells[t]
        if not c.ok():
            out.append("| %s | %s | failed | failed | failed | failed | "
                       "failed | %s |" % (label, LABEL[t], esc(c.why())))
            continue
        note = []
        if c.nok < c.n:
            note.append(c.why())
        if kind == "rss" and t in PEERS:
            note.append("fetch %s MB, notmuch new %s MB"
                        % (mb(c.rss_f), mb(c.rss_i)))
        first = setup.get(t)
        if first is not None and first.ok():
            note.append("first fetch (not timed above) %s s"
                        % secs(first.total))
        if t in sizes:
            note.append("%s after the first fetch: %s bytes"
                        % (sizes[t][0], "{:,}".format(sizes[t][1])))
        if t == "floor":
            note.append("of which connect to EOF %s s (the rest is "
                        "Python's start-up); peak RSS is the Python "
                        "client's" % ("%.3f" % c.net if c.net is not None
                                      else "?"))
        note += c.extra
        rt = ratio_text(key(c), best, t == best_tool)
        fetch = "—" if t == "notmuch" else secs(c.fetch)
        index = {"popmuch": "(in fetch)", "floor": "—"}.get(t, secs(c.index))
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            label, LABEL[t], fetch, index, secs(c.total), rt, mb(c.rss),
            esc("; ".join(note)) or "ok"))
    return out, best_tool, best


def verdict(ok, value):
    return ("**met** (%s)" if ok else "**missed** (%s)") % value


def ratio_line(label, target, a, b, limit, missing):
    """One "popmuch <= limit x peer" line: a / b against limit, or why it
    was not measured."""
    if a and b:
        r = a.total / b.total
        return "- %s: %s: %s" % (label, target,
                                 verdict(r <= limit, "%.2f ×" % r))
    return "- %s: %s: %s" % (label, target, missing)


def floor_lines(label, pm, mp, flc, size_of, missing, first_missing):
    """Issue 16's lines for case (c) beyond the plain ratio: against the
    server floor (flc: its Cell, or None when not run), peak RSS against
    mpop's, the journal against mpop's uidls file (first_missing: why the
    first fetches did not give both)."""
    out = []
    fl = flc if flc is not None and flc.ok() else None
    if fl and (pm or mp):
        # The floor is its own connect-to-EOF time: Python's start-up is no
        # part of what the server needs (the wall time when it is missing).
        base = fl.net if fl.net else fl.total
        parts = []
        if pm:
            parts.append("popmuch %.2f × floor" % (pm.total / base))
        if mp:
            parts.append("mpop + notmuch new %.2f × floor"
                         % (mp.total / base))
            f = 0.8 * mp.total / base
            parts.append("0.8 × that is %.2f × floor%s" % (
                f, " (below the floor: no client meets it on this server)"
                if f < 1 else ""))
        out.append("- %s: against the server floor (%s; informational): "
                   "%s" % (label, "connect to EOF %.3f s, %.3f s with "
                           "Python's start-up" % (fl.net, fl.total)
                           if fl.net else "%.3f s" % fl.total,
                           "; ".join(parts)))
    else:
        out.append("- %s: against the server floor (informational): %s"
                   % (label, "not measured: server floor " + fl_why(flc)
                      if not fl else "not measured (neither popmuch nor "
                      "mpop measured)"))
    if pm and mp and pm.rss is not None and mp.rss is not None:
        d = (pm.rss - mp.rss) / 1024.0
        out.append("- %s: peak RSS popmuch ≤ mpop + 16 MB (issue 16): %s"
                   % (label, verdict(d <= 16, "%.1f MB, %+.1f MB"
                                     % (pm.rss / 1024.0, d))))
    else:
        out.append("- %s: peak RSS popmuch ≤ mpop + 16 MB (issue 16): %s"
                   % (label, missing))
    js, us = size_of("popmuch"), size_of("mpop")
    if js and us:
        r = js[1] / us[1]
        out.append("- %s: popmuch's journal ≤ 2 × mpop's uidls file, after "
                   "the first fetch (issue 16): %s" % (label, verdict(
                       r <= 2, "%.2f ×: %s against %s bytes" % (
                           r, "{:,}".format(js[1]), "{:,}".format(us[1])))))
    else:
        if first_missing == "not measured":
            first_missing = "not measured (%s)" % (
                "no journal recorded" if not js
                else "no mpop uidls file recorded")
        out.append("- %s: popmuch's journal ≤ 2 × mpop's uidls file, after "
                   "the first fetch (issue 16): %s" % (label, first_missing))
    return out


def fl_why(c):
    return "not run" if c is None else esc(c.why())


def targets(cases, cells_by_case, sizes):
    lines = []

    def get(cid, tool):
        c = cells_by_case.get(cid, {}).get(tool)
        return c if c is not None and c.ok() else None

    def why_not(cid, *tools):
        """Why a target over these tools was not measured: the first of
        them that was not run (not in BENCH_TOOLS) or failed."""
        for t in tools:
            c = cells_by_case.get(cid, {}).get(t)
            if c is None:
                return "not measured (%s not run)" % SHORT[t]
            if not c.ok():
                return "not measured: %s %s" % (SHORT[t], esc(c.why()))
        return "not measured"

    for cid, label, kind, _ in cases:
        pm = get(cid, "popmuch")
        group = label[1:2] if label.startswith("(") else ""
        if kind == "text":
            continue
        mp = get(cid, "mpop")
        nm = get(cid, "notmuch")
        if group == "a":
            lines.append(ratio_line(
                label, "popmuch ≤ 0.8 × (mpop + notmuch new)", pm, mp, 0.8,
                why_not(cid, "popmuch", "mpop")))
            lines.append(ratio_line(
                label, "popmuch ≤ 1.15 × notmuch new alone (issue 16; "
                "issue 7's stretch)", pm, nm, 1.15,
                why_not(cid, "popmuch", "notmuch")))
        elif group == "b":
            missing = why_not(cid, "popmuch", "mpop")
            lines.append(ratio_line(label, "popmuch ≤ 1.0 × mpop", pm, mp,
                                    1.0, missing))
            lines.append(ratio_line(
                label, "popmuch ≤ 0.8 × (mpop + notmuch new) (issue 16: no "
                "regression)", pm, mp, 0.8, missing))
            for t in ("fetchmail", "getmail"):
                o = get(cid, t)
                if pm and o:
                    r = o.total / pm.total
                    lines.append("- %s: popmuch ≥ 15 × faster than %s: %s"
                                 % (label, SHORT[t],
                                    verdict(r >= 15, "%.1f × faster" % r)))
                else:
                    lines.append("- %s: popmuch ≥ 15 × faster than %s: %s"
                                 % (label, SHORT[t],
                                    why_not(cid, "popmuch", t)))
        elif group == "c":
            missing = why_not(cid, "popmuch", "mpop")
            lines.append(ratio_line(label, "popmuch ≤ 1.0 × mpop", pm, mp,
                                    1.0, missing))
            lines.append(ratio_line(label, "popmuch ≤ 0.8 × mpop (issue 16)",
                                    pm, mp, 0.8, missing))
            lines += floor_lines(
                label, pm, mp, cells_by_case.get(cid, {}).get("floor"),
                lambda t, cid=cid: sizes.get(cid, {}).get(t), missing,
                why_not(cid + "-setup", "popmuch", "mpop"))
        elif group == "d" or kind == "rss":
            if pm and nm:
                d = (pm.rss - nm.rss) / 1024.0
                lines.append("- %s: popmuch ≤ notmuch new alone + 16 MB: %s"
                             % (label, verdict(d <= 16, "%+.1f MB" % d)))
            else:
                lines.append("- %s: popmuch ≤ notmuch new alone + 16 MB: %s"
                             % (label, why_not(cid, "popmuch", "notmuch")))
    return lines


def chart(cases, cells_by_case, png, workdir):
    tcases = [c for c in cases if c[2] == "time"]
    rcases = [c for c in cases if c[2] == "rss"]
    tcases = [c for c in tcases if c[0] in cells_by_case]
    rcases = [c for c in rcases if c[0] in cells_by_case]
    if not tcases and not rcases:
        return "no case to chart"
    tools = [t for t in TOOLS
             if any(t in cells_by_case.get(c[0], {}) for c in cases
                    if c[2] != "text")]
    dat = os.path.join(workdir, "chart.dat")
    rdat = os.path.join(workdir, "chart-rss.dat")

    def write(path, cs, attr, scale):
        with open(path, "w") as f:
            f.write("# case " + " ".join(tools) + "\n")
            for cid, label, kind, short in cs:
                row = ['"%s"' % short.replace('"', "'")]
                for t in tools:
                    c = cells_by_case.get(cid, {}).get(t)
                    v = getattr(c, attr) if c is not None and c.ok() else None
                    row.append("?" if v is None else "%.4f" % (v / scale))
                f.write(" ".join(row) + "\n")

    write(dat, tcases, "total", 1.0)
    write(rdat, rcases, "rss", 1024.0)

    def works(t):
        return any(cells_by_case.get(c[0], {}).get(t) is not None
                   and cells_by_case[c[0]][t].ok() for c in cases)

    def title(t):
        return SHORT[t] + ("" if works(t) else " (failed)")

    failed = [SHORT[t] for t in tools if not works(t)]

    def plot(path):
        return ", ".join(
            "'%s' using %d:xtic(1) title '%s'" % (path, i + 2, title(t))
            for i, t in enumerate(tools))

    gp = [
        "set terminal pngcairo size 1400,600 font 'Sans,10'"
        if has_cairo() else "set terminal png size 1400,600",
        "set output '%s'" % png,
        "set datafile missing '?'",
        "set style data histograms",
        "set style histogram clustered gap 1",
        "set style fill solid 0.85 border -1",
        "set key top left",
        "set grid ytics",
        "set xtics nomirror",
        "set multiplot layout 1,%d" % (1 + (1 if rcases else 0)),
    ]
    if failed:
        gp.append("set label 1 '%s: failed in every case (see the table)' "
                  "at screen 0.5, screen 0.02 center textcolor "
                  "rgb 'red'" % ", ".join(failed))
    if tcases:
        gp += ["set title 'fetch + index, wall time (median, log scale; "
               "lower is better)'", "set ylabel 'seconds'",
               "set logscale y", "set yrange [0.01:*]",
               "plot " + plot(dat)]
    if rcases:
        gp += ["unset logscale y", "set yrange [0:*]",
               "set title 'peak RSS (median; lower is better)'",
               "set ylabel 'MB'", "plot " + plot(rdat)]
    gp.append("unset multiplot")
    gpf = os.path.join(workdir, "chart.gp")
    with open(gpf, "w") as f:
        f.write("\n".join(gp) + "\n")
    try:
        p = subprocess.run(["gnuplot", gpf], capture_output=True, text=True,
                           timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        return "gnuplot failed: %s" % e
    if p.returncode != 0:
        return "gnuplot failed: " + p.stderr.strip().splitlines()[-1]
    return None


def has_cairo():
    try:
        p = subprocess.run(["gnuplot", "-e", "set terminal"],
                           capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "pngcairo" in p.stdout + p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--cases", required=True)
    ap.add_argument("--sizes", default="")
    ap.add_argument("--rounds", default="3")
    ap.add_argument("--quick", default="0")
    ap.add_argument("--rtt", default="50")
    ap.add_argument("--popmuch", default="?")
    ap.add_argument("--section-e", default="")
    ap.add_argument("--out", required=True)
    ap.add_argument("--png", required=True)
    ap.add_argument("--workdir", default=".")
    ap.add_argument("--load", default="")
    a = ap.parse_args()

    rows = load(a.results, 9)
    cases = [tuple(c[:4]) for c in load(a.cases, 4)]
    by = {}
    for r in rows:
        by.setdefault(r[0], {}).setdefault(r[1], []).append(r)
    cells_by_case = {cid: {t: Cell(rs) for t, rs in d.items()}
                     for cid, d in by.items()}
    sizes = {}
    for cid, tool, name, nbytes in load(a.sizes, 4) if a.sizes else []:
        if num(nbytes) is not None:
            sizes.setdefault(cid, {})[tool] = (name, int(nbytes))

    now = datetime.datetime.now(datetime.timezone.utc)
    md = ["# popmuch benchmark%s" % (" (quick mode: small sizes)"
                                     if a.quick == "1" else ""), ""]
    md.append("- Date: %s" % now.strftime("%Y-%m-%d %H:%M UTC"))
    md.append("- Machine: %s%s" % (machine(), (
        "; load average (1, 5, 15 min) at start / end: %s" % a.load)
        if a.load else ""))
    md.append("- Server: %s on 127.0.0.1 (plain POP3, USER/PASS), "
              "every tool keeps mail on the server; case (b) through a "
              "latency proxy (%s ms round trip)"
              % ("Dovecot " + version(["dovecot", "--version"]).split()[0],
                 a.rtt))
    md.append("- popmuch: %s" % a.popmuch)
    md.append("- Peers: %s; %s; %s; %s" % (
        version(["mpop", "--version"]),
        version(["fetchmail", "--version"]).replace(
            "This is fetchmail release ", "fetchmail ").split("+")[0],
        version(["getmail", "--version"]),
        version(["notmuch", "--version"])))
    md.append("- Rounds: %s per case and tool, each from a fresh state "
              "(empty Maildir, empty notmuch database, no UIDLs seen); "
              "medians; × best peer = this tool's median / the best of "
              "mpop, fetchmail, getmail6 (wall time; peak RSS in (d))"
              % a.rounds)
    md.append("")
    md.append("| Case | Tool | Fetch s | Index s | Total s | × best peer "
              "| Peak RSS MB | Notes |")
    md.append("|---|---|---:|---:|---:|---:|---:|---|")
    for cid, label, kind, _ in cases:
        cells = cells_by_case.get(cid, {})
        if kind == "text":
            c = cells.get("popmuch")
            if c is None:
                note = "not measured"
            elif c.ok():
                note = c.extra[0] if c.extra else "ok"
            else:
                note = c.notes[0] if c.notes else "failed"
            md.append("| %s | popmuch TUI | — | — | — | — | — | %s |"
                      % (label, esc(note)))
            continue
        if not cells:
            md.append("| %s | (none) | failed | failed | failed | failed | "
                      "failed | no rounds recorded |" % label)
            continue
        out, _, _ = case_rows(label, kind, cells,
                              cells_by_case.get(cid + "-setup", {}),
                              sizes.get(cid, {}))
        md += out
    md.append("")
    md.append("Targets (issue 7, and issue 16 where marked; ratios to the "
              "same run's figures):")
    md.append("")
    md += targets(cases, cells_by_case, sizes) or ["- no case measured"]
    md.append("")
    if a.section_e and os.path.exists(a.section_e):
        md.append("## (e) TUI")
        md.append("")
        with open(a.section_e, encoding="utf-8", errors="replace") as f:
            md.append(f.read().rstrip("\n"))
        md.append("")
    err = chart(cases, cells_by_case, a.png, a.workdir)
    md.append("Chart: %s" % (os.path.basename(a.png) if err is None
                             else "not drawn (%s)" % err))
    md.append("")
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
