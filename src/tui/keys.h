/* keys.h: the key binding table of the TUI (no curses).
 *
 * Keys are Unicode code points, or KEY_* below for special keys (the
 * display maps curses' codes onto them).  Every view has a scope; a key
 * is looked up in the view's scope first, then in the global scope.  The
 * help screen is generated from this table, and keys_bind() rebinds a
 * key (for a future "bind SCOPE KEY ACTION" config line). */
#ifndef POPMUCH_TUI_KEYS_H
#define POPMUCH_TUI_KEYS_H

#include <stddef.h>

#define KEY_BASE 0x110000
enum tui_special_key {
	TK_UP = KEY_BASE + 1,
	TK_DOWN,
	TK_LEFT,
	TK_RIGHT,
	TK_PGUP,
	TK_PGDN,
	TK_HOME,
	TK_END,
	TK_ENTER,
	TK_BACKSPACE,
	TK_ESC,
	TK_TAB,
	TK_DELETE,
	TK_RESIZE,
	TK_CTRL_L,
	TK_CTRL_C,
	TK_CTRL_U,
	TK_CTRL_W,
};

/* X(name, help) */
#define TUI_ACTIONS(X)                                                         \
	X(NONE, "nothing")                                                     \
	X(QUIT, "back; quit on the first screen")                              \
	X(HELP, "this help")                                                   \
	X(SEARCH, "search: notmuch query prompt")                              \
	X(FETCH, "fetch all accounts")                                         \
	X(ACCOUNTS, "accounts and fetch progress")                             \
	X(SAVED, "saved searches")                                             \
	X(LOG, "log of this session")                                          \
	X(REDRAW, "redraw the screen")                                         \
	X(DOWN, "next line")                                                   \
	X(UP, "previous line")                                                 \
	X(PGDN, "next page")                                                   \
	X(PGUP, "previous page")                                               \
	X(TOP, "first line")                                                   \
	X(BOTTOM, "last line")                                                 \
	X(OPEN, "open")                                                        \
	X(TAG_ADD, "add tags")                                                 \
	X(TAG_REMOVE, "remove tags")                                           \
	X(UNREAD, "toggle unread")                                             \
	X(FLAGGED, "toggle flagged")                                           \
	X(DELETED, "toggle deleted")                                           \
	X(ARCHIVE, "archive (remove the inbox tag)")                           \
	X(THREADS, "toggle threads / messages")                                \
	X(NEXT_MSG, "next message")                                            \
	X(PREV_MSG, "previous message")                                        \
	X(ATTACHMENTS, "list attachments")                                     \
	X(HEADERS, "toggle full headers")                                      \
	X(RAW, "toggle the raw message")                                       \
	X(SAVE, "save the attachment")                                         \
	X(OPEN_EXT, "open the attachment (xdg-open or mailcap)")               \
	X(FIND, "find in the message (empty: stop finding)")                   \
	X(FIND_PREV, "previous match (n: next match while finding)")           \
	X(PIPE, "pipe to a shell command (the message, or the part)")          \
	X(SAVE_ALL, "save every attachment into a directory")                  \
	X(NEXT_UNREAD, "next unread thread or message")                        \
	X(NEXT_THREAD, "open the next unread thread of the list")              \
	X(TAG_ALL, "tag every message of the search (+tag -tag)")              \
	X(MARK, "mark or unmark (tag actions then apply to every marked row)") \
	X(UNMARK_ALL, "unmark every row")                                      \
	X(UNDO, "undo the last tag change (again: the one before)")            \
	X(FOLD, "fold or unfold the replies under the message")                \
	X(EXPAND, "show the (not matching) messages in full, or not")          \
	X(REPLY, "reply to the sender")                                        \
	X(REPLY_ALL, "reply to all (group reply)")                             \
	X(FORWARD, "forward")                                                  \
	X(COMPOSE, "write a new message")                                      \
	X(OUTBOX, "outbox and postponed drafts")                               \
	X(SEND, "send")                                                        \
	X(EDIT, "edit the draft again")                                        \
	X(ATTACH, "attach a file")                                             \
	X(DETACH, "remove the last attachment")                                \
	X(POSTPONE, "postpone: keep the draft for later")                      \
	X(DISCARD, "discard the draft")                                        \
	X(VIEW_PART, "show the part in the pager (others: open it)")

enum tui_action {
#define TUI_ACTION_ENUM(name, help) ACT_##name,
	TUI_ACTIONS(TUI_ACTION_ENUM)
#undef TUI_ACTION_ENUM
	    ACT_COUNT
};

enum tui_scope {
	SC_GLOBAL = 1 << 0,
	SC_LIST = 1 << 1,     /* search results */
	SC_THREAD = 1 << 2,   /* messages of a thread */
	SC_MESSAGE = 1 << 3,  /* one message */
	SC_SAVED = 1 << 4,    /* saved searches */
	SC_ACCOUNTS = 1 << 5, /* accounts */
	SC_PAGER = 1 << 6,    /* help, log */
	SC_ATTACH = 1 << 7,   /* attachment list */
	SC_COMPOSE = 1 << 8,  /* the draft before sending (view-compose.c) */
	SC_OUTBOX = 1 << 9,   /* outbox and drafts (view-compose.c) */
};

struct key_binding {
	unsigned scopes; /* enum tui_scope bits */
	int key;
	enum tui_action action;
};

/* The action bound to key in scope (then globally); ACT_NONE if none. */
enum tui_action keys_lookup(unsigned scope, int key);

/* Call fn for each binding visible in scope (scope's own, then global),
 * in table order. */
void keys_each(unsigned scope,
	       void (*fn)(const struct key_binding *b, void *arg), void *arg);

/* Static name of a key for help ("j", "Space", "Enter", "PgDn", "C-l"). */
const char *keys_name(int key, char *buf, size_t size);

/* Static description and name of an action. */
const char *keys_action_help(enum tui_action a);
const char *keys_action_name(enum tui_action a);

/* Bind key (as keys_name writes it, or one character) to action (name,
 * any case, e.g. "tag_add"; "none" unbinds) in the scope named by scope
 * ("list" or "search", "thread", "message", "saved", "accounts", "pager"
 * or "help" or "log", "attach" or "attachments", "global").  A global
 * binding takes the key away from every screen.  Returns 0, or -1 with a
 * static reason in *why. */
int keys_bind(const char *scope, const char *key, const char *action,
	      const char **why);

#endif
