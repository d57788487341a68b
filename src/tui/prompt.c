/* prompt.c: the one-line prompt at the bottom: editing, the query
 * history (kept across runs by history.c) and Tab completion. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popmuch/xmalloc.h"
#include "complete.h"
#include "history.h"
#include "layout.h"
#include "prompt.h"
#include "tui-int.h"

struct prompt {
	char *label;
	char *buf;
	size_t len, cap;
	int complete, history; /* enum prompt_complete */
	size_t hist_pos;
	prompt_fn fn;
	void *arg;
};

static char **history;
static size_t nhistory;

void
tui_prompt(struct tui *t, const char *label, const char *initial, int complete,
	   int hist, prompt_fn fn, void *arg)
{
	struct prompt *p = xcalloc(1, sizeof *p);

	p->label = xstrdup(label);
	p->cap = 256 + strlen(initial);
	p->buf = xmalloc(p->cap);
	strcpy(p->buf, initial);
	p->len = strlen(initial);
	p->complete = complete;
	p->history = hist;
	p->hist_pos = nhistory;
	p->fn = fn;
	p->arg = arg;
	t->prompt = p;
}

static void
prompt_free(struct prompt **p)
{
	if (!*p)
		return;
	free((*p)->label);
	free((*p)->buf);
	free(*p);
	*p = NULL;
}

void
prompt_cancel(struct tui *t)
{
	struct prompt *p = t->prompt;

	if (!p)
		return;
	t->prompt = NULL;
	p->fn(t, NULL, p->arg);
	prompt_free(&p);
}

static void
prompt_set(struct prompt *p, const char *s)
{
	size_t n = strlen(s);

	if (n + 1 > p->cap)
		p->buf = xreallocarray(p->buf, p->cap = n + 64, 1);
	memcpy(p->buf, s, n + 1);
	p->len = n;
}

static void
prompt_complete(struct tui *t, struct prompt *p)
{
	char *s;

	free(t->status);
	t->status = NULL;
	t->status_error = 0;
	s = complete_line(t, p->buf, p->complete);

	if (s) {
		prompt_set(p, s);
		free(s);
	}
}

static void
prompt_history(struct prompt *p, int dir)
{
	if (!p->history || nhistory == 0)
		return;
	if (dir < 0 && p->hist_pos > 0)
		p->hist_pos--;
	else if (dir > 0 && p->hist_pos < nhistory)
		p->hist_pos++;
	prompt_set(p, p->hist_pos < nhistory ? history[p->hist_pos] : "");
}

static void
prompt_enter(struct tui *t)
{
	struct prompt *p = t->prompt;

	t->prompt = NULL;
	if (p->history && p->len &&
	    (!nhistory || strcmp(history[nhistory - 1], p->buf) != 0)) {
		history = xreallocarray(history, nhistory + 1, sizeof *history);
		history[nhistory++] = xstrdup(p->buf);
		history_append(p->buf); /* kept across runs */
	}
	p->fn(t, p->buf, p->arg);
	prompt_free(&p);
}

void
prompt_key(struct tui *t, int key)
{
	struct prompt *p = t->prompt;
	char u[8];
	size_t n;

	switch (key) {
	case TK_ENTER:
		prompt_enter(t);
		return;
	case TK_ESC:
	case TK_CTRL_C:
		prompt_cancel(t);
		return;
	case TK_BACKSPACE:
		while (p->len > 0 &&
		       ((unsigned char)p->buf[--p->len] & 0xC0) == 0x80)
			;
		p->buf[p->len] = '\0';
		return;
	case TK_CTRL_U:
		prompt_set(p, "");
		return;
	case TK_CTRL_W:
		while (p->len > 0 && p->buf[p->len - 1] == ' ')
			p->len--;
		while (p->len > 0 && p->buf[p->len - 1] != ' ')
			p->len--;
		p->buf[p->len] = '\0';
		return;
	case TK_TAB:
		prompt_complete(t, p);
		return;
	case TK_UP:
		prompt_history(p, -1);
		return;
	case TK_DOWN:
		prompt_history(p, 1);
		return;
	}
	if (key >= KEY_BASE || key < 0x20)
		return;
	n = layout_encode((unsigned)key, u);
	u[n] = '\0';
	if (p->len + n + 1 > p->cap)
		p->buf = xreallocarray(p->buf, p->cap *= 2, 1);
	memcpy(p->buf + p->len, u, n + 1);
	p->len += n;
}

int
prompt_draw(struct tui *t, int row, int cols)
{
	char *s, *raw;
	size_t w;

	if (!t->prompt)
		return 0;
	raw = xasprintf("%s%s", t->prompt->label, t->prompt->buf);
	/* drawn as layout_fit shows it (a control is one U+FFFD),
	 * so the cursor lands where the width says */
	w = layout_width(raw);
	s = (int)w >= cols ? layout_tail(raw, cols - 1) /* the end */
			   : layout_fit(raw, cols, 0);
	free(raw);
	disp_fill(row, 0, ST_NORMAL);
	disp_text(row, 0, s, ST_NORMAL);
	disp_cursor(row, (int)layout_width(s) < cols ? (int)layout_width(s)
						     : cols - 1);
	free(s);
	return 1;
}

void
prompt_init(void)
{
	history_load(&history, &nhistory);
}

void
prompt_shutdown(void)
{
	size_t i;

	for (i = 0; i < nhistory; i++)
		free(history[i]);
	free(history);
	history = NULL;
	nhistory = 0;
}
