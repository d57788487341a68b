/* display.c: the terminal through ncursesw. */
#include "config.h"

#include <curses.h>
#include <stdlib.h>

#include "display.h"
#include "keys.h"

static attr_t styles[ST_COUNT];
static int active;

static void
init_styles(void)
{
	/* fg, bg, extra attributes */
	static const short colours[ST_COUNT][2] = {
		[ST_STATUS] = { COLOR_BLACK, COLOR_CYAN },
		[ST_TITLE] = { COLOR_BLACK, COLOR_CYAN },
		[ST_DATE] = { COLOR_YELLOW, -1 },
		[ST_AUTHORS] = { COLOR_CYAN, -1 },
		[ST_TAGS] = { COLOR_GREEN, -1 },
		[ST_FLAGGED] = { COLOR_RED, -1 },
		[ST_HEADER] = { COLOR_CYAN, -1 },
		[ST_QUOTE] = { COLOR_GREEN, -1 },
		[ST_ERROR] = { COLOR_WHITE, COLOR_RED },
		[ST_BAR] = { COLOR_BLACK, COLOR_GREEN },
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
	if (!colour)
		return;
	start_color();
	use_default_colors();
	for (i = 0; i < ST_COUNT; i++) {
		if (colours[i][0] == 0 && colours[i][1] == 0)
			continue;
		init_pair((short)i, colours[i][0], colours[i][1]);
		styles[i] = COLOR_PAIR(i) |
			    (i == ST_FLAGGED || i == ST_ERROR ? A_BOLD : 0);
	}
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
	case KEY_UP: return TK_UP;
	case KEY_DOWN: return TK_DOWN;
	case KEY_LEFT: return TK_LEFT;
	case KEY_RIGHT: return TK_RIGHT;
	case KEY_PPAGE: return TK_PGUP;
	case KEY_NPAGE: return TK_PGDN;
	case KEY_HOME: return TK_HOME;
	case KEY_END: return TK_END;
	case KEY_ENTER: return TK_ENTER;
	case KEY_BACKSPACE: return TK_BACKSPACE;
	case KEY_DC: return TK_DELETE;
	case KEY_RESIZE: return TK_RESIZE;
	default: return 0;
	}
}

static int
map_char(wint_t c)
{
	switch (c) {
	case '\r': case '\n': return TK_ENTER;
	case 127: case 8: return TK_BACKSPACE;
	case 27: return TK_ESC;
	case '\t': return TK_TAB;
	case 12: return TK_CTRL_L;
	case 3: return TK_CTRL_C;
	case 21: return TK_CTRL_U;
	case 23: return TK_CTRL_W;
	default: return c < 0x20 ? 0 : (int)c;
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
