/* display.c: the terminal through ncursesw. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/config.h"
#include "popmuch/xmalloc.h"
#include "display.h"
#include "keys.h"

#define TAG_STYLES 64 /* "color tag:NAME" lines honoured */

/* A colour from the configuration (before curses starts). */
struct user_color {
	int fg, bg;	/* -1: default */
	unsigned attrs; /* enum cfg_attr */
	int set;
};

static attr_t styles[ST_COUNT + TAG_STYLES];
static struct user_color user[ST_COUNT + TAG_STYLES];
static char *tag_names[TAG_STYLES];
static size_t ntags;
static int active;

static const char *const element_names[ST_COUNT] = {
    [ST_NORMAL] = "normal",	[ST_UNREAD] = "unread",
    [ST_SELECTED] = "selected", [ST_SEL_UNREAD] = "selected_unread",
    [ST_STATUS] = "status",	[ST_TITLE] = "title",
    [ST_DATE] = "date",		[ST_AUTHORS] = "authors",
    [ST_TAGS] = "tags",		[ST_FLAGGED] = "flagged",
    [ST_HEADER] = "header",	[ST_QUOTE] = "quote",
    [ST_ERROR] = "error",	[ST_BAR] = "bar",
};

int
disp_color(const char *element, int fg, int bg, unsigned attrs)
{
	size_t i;

	if (strncmp(element, "tag:", 4) == 0 && element[4] != '\0') {
		for (i = 0; i < ntags; i++)
			if (strcmp(tag_names[i], element + 4) == 0)
				break;
		if (i == TAG_STYLES)
			return -1;
		if (i == ntags)
			tag_names[ntags++] = xstrdup(element + 4);
		i += ST_COUNT;
	} else {
		for (i = 0; i < ST_COUNT; i++)
			if (strcmp(element_names[i], element) == 0)
				break;
		if (i == ST_COUNT)
			return -1;
	}
	user[i] = (struct user_color){fg, bg, attrs, 1};
	return 0;
}

const char *
disp_element_name(int i)
{
	return i >= 0 && i < ST_COUNT ? element_names[i] : NULL;
}

enum disp_style
disp_tag_style(const char *tag)
{
	size_t i;

	for (i = 0; i < ntags; i++)
		if (strcmp(tag_names[i], tag) == 0)
			return (enum disp_style)(ST_COUNT + i);
	return ST_TAGS;
}

void
disp_colors_free(void)
{
	size_t i;

	for (i = 0; i < ntags; i++)
		free(tag_names[i]);
	ntags = 0;
	memset(user, 0, sizeof user);
}

static attr_t
curses_attrs(unsigned a)
{
	return (a & CFG_ATTR_BOLD ? A_BOLD : 0) |
	       (a & CFG_ATTR_UNDERLINE ? A_UNDERLINE : 0) |
	       (a & CFG_ATTR_REVERSE ? A_REVERSE : 0) |
	       (a & CFG_ATTR_DIM ? A_DIM : 0) |
	       (a & CFG_ATTR_STANDOUT ? A_STANDOUT : 0) |
	       (a & CFG_ATTR_BLINK ? A_BLINK : 0);
}

/* The configured colours over the defaults; colour only when colour. */
static void
apply_user_styles(int colour)
{
	int i;
	short fg, bg;

	for (i = 0; i < ST_COUNT + (int)ntags; i++) {
		if (!user[i].set)
			continue;
		styles[i] = curses_attrs(user[i].attrs);
		if (!colour)
			continue;
		fg = (short)(user[i].fg < COLORS ? user[i].fg : -1);
		bg = (short)(user[i].bg < COLORS ? user[i].bg : -1);
		if (init_pair((short)(i + 1), fg, bg) == OK)
			styles[i] |= COLOR_PAIR(i + 1);
	}
}

static void
init_styles(void)
{
	/* fg, bg, extra attributes */
	static const short colours[ST_COUNT][2] = {
	    [ST_STATUS] = {COLOR_BLACK, COLOR_CYAN},
	    [ST_TITLE] = {COLOR_BLACK, COLOR_CYAN},
	    [ST_DATE] = {COLOR_YELLOW, -1},
	    [ST_AUTHORS] = {COLOR_CYAN, -1},
	    [ST_TAGS] = {COLOR_GREEN, -1},
	    [ST_FLAGGED] = {COLOR_RED, -1},
	    [ST_HEADER] = {COLOR_CYAN, -1},
	    [ST_QUOTE] = {COLOR_GREEN, -1},
	    [ST_ERROR] = {COLOR_WHITE, COLOR_RED},
	    [ST_BAR] = {COLOR_BLACK, COLOR_GREEN},
	};
	int colour = has_colors() && getenv("NO_COLOR") == NULL;
	int i;

	styles[ST_NORMAL] = A_NORMAL;
	styles[ST_UNREAD] = A_BOLD;
	styles[ST_SELECTED] = A_REVERSE;
	styles[ST_SEL_UNREAD] = A_REVERSE | A_BOLD;
	styles[ST_STATUS] = A_REVERSE;
	styles[ST_TITLE] = A_REVERSE;
	styles[ST_HEADER] = A_BOLD;
	styles[ST_FLAGGED] = A_BOLD;
	styles[ST_ERROR] = A_REVERSE | A_BOLD;
	styles[ST_BAR] = A_REVERSE;
	if (colour) {
		start_color();
		use_default_colors();
	}
	for (i = 0; colour && i < ST_COUNT; i++) {
		if (colours[i][0] == 0 && colours[i][1] == 0)
			continue;
		init_pair((short)(i + 1), colours[i][0], colours[i][1]);
		styles[i] = COLOR_PAIR(i + 1) |
			    (i == ST_FLAGGED || i == ST_ERROR ? A_BOLD : 0);
	}
	apply_user_styles(colour);
}

int
disp_init(void)
{
	if (active)
		return 0;
	if (newterm(NULL, stdout, stdin) == NULL)
		return -1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	init_styles();
	active = 1;
	return 0;
}

void
disp_end(void)
{
	if (!active)
		return;
	endwin();
	delscreen(set_term(NULL));
	active = 0;
}

void
disp_suspend(void)
{
	def_prog_mode();
	endwin();
}

void
disp_resume(void)
{
	reset_prog_mode();
	clearok(curscr, TRUE);
}

void
disp_size(int *rows, int *cols)
{
	getmaxyx(stdscr, *rows, *cols);
}

void
disp_erase(void)
{
	werase(stdscr);
}

void
disp_text(int row, int col, const char *text, enum disp_style st)
{
	attrset(styles[st]);
	mvaddstr(row, col, text);
	attrset(A_NORMAL);
}

void
disp_fill(int row, int col, enum disp_style st)
{
	int rows, cols;

	getmaxyx(stdscr, rows, cols);
	if (row < 0 || row >= rows)
		return;
	attrset(styles[st]);
	mvhline(row, col, ' ', cols - col);
	attrset(A_NORMAL);
}

void
disp_cursor(int row, int col)
{
	if (row < 0) {
		curs_set(0);
		return;
	}
	move(row, col);
	curs_set(1);
}

void
disp_flush(void)
{
	wnoutrefresh(stdscr);
	doupdate();
}

void
disp_force_redraw(void)
{
	clearok(curscr, TRUE);
}

void
disp_resized(void)
{
	clearok(curscr, TRUE);
}

static int
map_function_key(wint_t k)
{
	switch (k) {
	case KEY_UP:
		return TK_UP;
	case KEY_DOWN:
		return TK_DOWN;
	case KEY_LEFT:
		return TK_LEFT;
	case KEY_RIGHT:
		return TK_RIGHT;
	case KEY_PPAGE:
		return TK_PGUP;
	case KEY_NPAGE:
		return TK_PGDN;
	case KEY_HOME:
		return TK_HOME;
	case KEY_END:
		return TK_END;
	case KEY_ENTER:
		return TK_ENTER;
	case KEY_BACKSPACE:
		return TK_BACKSPACE;
	case KEY_DC:
		return TK_DELETE;
	case KEY_RESIZE:
		return TK_RESIZE;
	default:
		return 0;
	}
}

static int
map_char(wint_t c)
{
	switch (c) {
	case '\r':
	case '\n':
		return TK_ENTER;
	case 127:
	case 8:
		return TK_BACKSPACE;
	case 27:
		return TK_ESC;
	case '\t':
		return TK_TAB;
	case 12:
		return TK_CTRL_L;
	case 3:
		return TK_CTRL_C;
	case 21:
		return TK_CTRL_U;
	case 23:
		return TK_CTRL_W;
	default:
		return c < 0x20 ? 0 : (int)c;
	}
}

int
disp_getkey(int *key)
{
	wint_t wc;
	int r;

	for (;;) {
		r = wget_wch(stdscr, &wc);
		if (r == ERR)
			return 0;
		*key = r == KEY_CODE_YES ? map_function_key(wc) : map_char(wc);
		if (*key != 0)
			return 1;
	}
}
