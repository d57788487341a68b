/* keys.c: the key binding table. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "popmuch/xmalloc.h"
#include "keys.h"
#include "layout.h"

#define NAV                                                                    \
	(SC_LIST | SC_THREAD | SC_SAVED | SC_ACCOUNTS | SC_PAGER | SC_ATTACH | \
	 SC_COMPOSE | SC_OUTBOX)
#define TAGS (SC_LIST | SC_THREAD | SC_MESSAGE)

static const struct key_binding defaults[] = {
    {SC_GLOBAL, '?', ACT_HELP},
    {SC_GLOBAL, 'q', ACT_QUIT},
    {SC_GLOBAL, '/', ACT_SEARCH},
    {SC_GLOBAL, 'F', ACT_FETCH},
    {SC_GLOBAL, 'A', ACT_ACCOUNTS},
    {SC_GLOBAL, 'S', ACT_SAVED},
    {SC_GLOBAL, 'L', ACT_LOG},
    {SC_GLOBAL, TK_CTRL_L, ACT_REDRAW},
    {NAV | SC_MESSAGE, 'j', ACT_DOWN},
    {NAV | SC_MESSAGE, TK_DOWN, ACT_DOWN},
    {NAV | SC_MESSAGE, 'k', ACT_UP},
    {NAV | SC_MESSAGE, TK_UP, ACT_UP},
    {NAV | SC_MESSAGE, TK_PGDN, ACT_PGDN},
    {NAV | SC_MESSAGE, ' ', ACT_PGDN},
    {NAV | SC_MESSAGE, TK_PGUP, ACT_PGUP},
    {NAV | SC_MESSAGE, 'g', ACT_TOP},
    {NAV | SC_MESSAGE, TK_HOME, ACT_TOP},
    {NAV | SC_MESSAGE, 'G', ACT_BOTTOM},
    {NAV | SC_MESSAGE, TK_END, ACT_BOTTOM},
    {SC_LIST | SC_THREAD | SC_SAVED, TK_ENTER, ACT_OPEN},
    {TAGS, '+', ACT_TAG_ADD},
    {TAGS, '-', ACT_TAG_REMOVE},
    {TAGS, 'u', ACT_UNREAD},
    {TAGS, '*', ACT_FLAGGED},
    {TAGS, 'd', ACT_DELETED},
    {TAGS, 'a', ACT_ARCHIVE},
    {SC_LIST, 't', ACT_THREADS},
    {SC_MESSAGE, 'n', ACT_NEXT_MSG},
    {SC_MESSAGE, 'p', ACT_PREV_MSG},
    {SC_MESSAGE, 'v', ACT_ATTACHMENTS},
    {SC_MESSAGE, 'h', ACT_HEADERS},
    {SC_MESSAGE, 'V', ACT_RAW}, /* notmuch-emacs; r is reply */
    {SC_ATTACH, 's', ACT_SAVE},
    {SC_ATTACH, 'o', ACT_OPEN_EXT},
    {SC_ATTACH, TK_ENTER, ACT_VIEW_PART}, /* neomutt's view-attach */
    {SC_ACCOUNTS, TK_ENTER, ACT_FETCH},
    /* find in the message, as in less and mutt's pager */
    {SC_MESSAGE, '/', ACT_FIND},
    {SC_MESSAGE, 'N', ACT_FIND_PREV},
    {SC_MESSAGE | SC_ATTACH, '|', ACT_PIPE},
    {SC_ATTACH, 'W', ACT_SAVE_ALL},
    {SC_LIST | SC_THREAD | SC_MESSAGE, TK_TAB, ACT_NEXT_UNREAD},
    {SC_LIST, 'T', ACT_TAG_ALL},
    {SC_THREAD | SC_MESSAGE, 'J', ACT_NEXT_THREAD},
    /* marks: aerc's v / V (t is threads here, mutt's tag-entry) */
    {SC_LIST | SC_THREAD, 'v', ACT_MARK},
    {SC_LIST | SC_THREAD, 'V', ACT_UNMARK_ALL},
    /* undo: notmuch-emacs' C-x u / C-/; u is unread here */
    {TAGS, 'U', ACT_UNDO},
    /* the thread tree: z folds as in vim and neomutt's pager-less
     * collapse; e expands what does not match */
    {SC_THREAD, 'z', ACT_FOLD},
    {SC_THREAD, 'e', ACT_EXPAND},
    /* writing mail (view-compose.c): mutt's and alot's keys */
    {SC_MESSAGE | SC_THREAD, 'r', ACT_REPLY},
    {SC_MESSAGE | SC_THREAD, 'R', ACT_REPLY_ALL},
    {SC_MESSAGE | SC_THREAD, 'f', ACT_FORWARD},
    {SC_GLOBAL, 'm', ACT_COMPOSE},
    {SC_GLOBAL, 'O', ACT_OUTBOX},
    {SC_COMPOSE, 'y', ACT_SEND},
    {SC_COMPOSE, 'e', ACT_EDIT},
    {SC_COMPOSE, 'a', ACT_ATTACH},
    {SC_COMPOSE, 'D', ACT_DETACH},
    {SC_COMPOSE, 'P', ACT_POSTPONE},
    {SC_COMPOSE, 'x', ACT_DISCARD},
    {SC_OUTBOX, TK_ENTER, ACT_EDIT},
    {SC_OUTBOX, 's', ACT_SEND},
    {SC_OUTBOX, 'x', ACT_DISCARD},
};

static struct key_binding *table;
static size_t ntable;

static void
init_table(void)
{
	if (table)
		return;
	ntable = sizeof defaults / sizeof defaults[0];
	table = xreallocarray(NULL, ntable, sizeof *table);
	memcpy(table, defaults, sizeof defaults);
}

enum tui_action
keys_lookup(unsigned scope, int key)
{
	size_t i;

	init_table();
	for (i = 0; i < ntable; i++)
		if ((table[i].scopes & scope) && table[i].key == key &&
		    table[i].scopes != SC_GLOBAL)
			return table[i].action;
	for (i = 0; i < ntable; i++)
		if ((table[i].scopes & SC_GLOBAL) && table[i].key == key)
			return table[i].action;
	return ACT_NONE;
}

void
keys_each(unsigned scope, void (*fn)(const struct key_binding *b, void *arg),
	  void *arg)
{
	size_t i;

	init_table();
	for (i = 0; i < ntable; i++)
		if ((table[i].scopes & scope) && table[i].action != ACT_NONE &&
		    !(table[i].scopes & SC_GLOBAL))
			fn(&table[i], arg);
	for (i = 0; i < ntable; i++)
		if ((table[i].scopes & SC_GLOBAL) &&
		    table[i].action != ACT_NONE &&
		    keys_lookup(scope, table[i].key) == table[i].action)
			fn(&table[i], arg);
}

static const struct {
	int key;
	const char *name;
} names[] = {
    {TK_UP, "Up"},	   {TK_DOWN, "Down"},
    {TK_LEFT, "Left"},	   {TK_RIGHT, "Right"},
    {TK_PGUP, "PgUp"},	   {TK_PGDN, "PgDn"},
    {TK_HOME, "Home"},	   {TK_END, "End"},
    {TK_ENTER, "Enter"},   {TK_BACKSPACE, "Backspace"},
    {TK_ESC, "Esc"},	   {TK_TAB, "Tab"},
    {TK_DELETE, "Delete"}, {TK_CTRL_L, "C-l"},
    {TK_CTRL_C, "C-c"},	   {TK_CTRL_U, "C-u"},
    {TK_CTRL_W, "C-w"},	   {' ', "Space"},
};

const char *
keys_name(int key, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key)
			return names[i].name;
	if (key > 0x20 && key < 0x7f) {
		snprintf(buf, size, "%c", key);
		return buf;
	}
	snprintf(buf, size, "U+%04X", (unsigned)key);
	return buf;
}

static const char *const action_help[] = {
#define TUI_ACTION_HELP(name, help) help,
    TUI_ACTIONS(TUI_ACTION_HELP)
#undef TUI_ACTION_HELP
};

static const char *const action_names[] = {
#define TUI_ACTION_NAME(name, help) #name,
    TUI_ACTIONS(TUI_ACTION_NAME)
#undef TUI_ACTION_NAME
};

const char *
keys_action_help(enum tui_action a)
{
	return (unsigned)a < ACT_COUNT ? action_help[a] : "?";
}

const char *
keys_action_name(enum tui_action a)
{
	return (unsigned)a < ACT_COUNT ? action_names[a] : "?";
}

static const struct {
	const char *name;
	unsigned scope;
} scope_names[] = {
    {"global", SC_GLOBAL},   {"list", SC_LIST},	    {"thread", SC_THREAD},
    {"message", SC_MESSAGE}, {"saved", SC_SAVED},   {"accounts", SC_ACCOUNTS},
    {"pager", SC_PAGER},     {"attach", SC_ATTACH}, {"search", SC_LIST},
    {"help", SC_PAGER},	     {"log", SC_PAGER},	    {"attachments", SC_ATTACH},
    {"compose", SC_COMPOSE}, {"outbox", SC_OUTBOX},
};

static int
parse_key(const char *s)
{
	size_t i;
	unsigned cp;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(names[i].name, s) == 0)
			return names[i].key;
	if (*s && layout_decode(s, strlen(s), &cp) == strlen(s))
		return (int)cp;
	return -1;
}

int
keys_bind(const char *scope, const char *key, const char *action,
	  const char **why)
{
	unsigned sc = 0;
	size_t i;
	int k, a = -1;

	init_table();
	for (i = 0; i < sizeof scope_names / sizeof scope_names[0]; i++)
		if (strcmp(scope_names[i].name, scope) == 0)
			sc = scope_names[i].scope;
	for (i = 0; i < ACT_COUNT; i++)
		if (strcasecmp(action_names[i], action) == 0)
			a = (int)i;
	k = parse_key(key);
	*why = !sc     ? "unknown scope"
	       : a < 0 ? "unknown action"
	       : k < 0 ? "unknown key"
		       : NULL;
	if (*why)
		return -1;
	/* a global binding takes the key on every screen */
	for (i = 0; i < ntable; i++)
		if (table[i].key == k &&
		    (table[i].scopes & (sc == SC_GLOBAL ? ~0u : sc)))
			table[i].scopes &= sc == SC_GLOBAL ? 0 : ~sc;
	table = xreallocarray(table, ntable + 1, sizeof *table);
	table[ntable].scopes = sc;
	table[ntable].key = k;
	table[ntable].action = (enum tui_action)a;
	ntable++;
	return 0;
}
