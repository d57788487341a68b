"""threadmsg.py: one small message of a thread, for the TUI tests that
build their own threads (t-tui-nav, t-tui-tagging, t-tui-tree):
import it with tests/tui on sys.path."""
import email.utils
import os


def write(d, name, mid, frm, subj, date, parent=None, refs="",
          body="body\n"):
    """Write message NAME into directory D: From FRM, Message-ID <MID>,
    Date DATE (seconds since the epoch), a reply to <PARENT> if given
    (References: REFS then <PARENT>)."""
    h = ["From: " + frm, "To: t@example.org", "Subject: " + subj,
         "Date: " + email.utils.formatdate(date), "Message-ID: <%s>" % mid]
    if parent:
        h += ["In-Reply-To: <%s>" % parent,
              "References: %s<%s>" % (refs, parent)]
    with open(os.path.join(d, name), "w") as f:
        f.write("\n".join(h) + "\n\n" + body)
