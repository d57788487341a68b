/* bench.c: the TUI's timing hook for tests/bench/tui-bench.sh.
 *
 * With POPMUCH_TUI_BENCH=FILE the TUI runs a fixed script once its first
 * screen is drawn: page down PAGES times, then open the thread matching
 * POPMUCH_TUI_BENCH_THREAD, timing each step as the person would see it
 * (the action, the drawing and the terminal update); it writes
 * "name=value" lines to FILE and quits. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "popmuch/xmalloc.h"
#include "tui-int.h"

#define PAGES 30

struct bench {
	char *file;
	double t0; /* CLOCK_REALTIME seconds of the start */
	int done;
};

static double
now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
bench_init(struct tui *t)
{
	const char *file = getenv("POPMUCH_TUI_BENCH");
	const char *t0 = getenv("POPMUCH_TUI_BENCH_T0");
	char *end;

	if (!file || !*file)
		return;
	t->bench = xcalloc(1, sizeof *t->bench);
	t->bench->file = xstrdup(file);
	t->bench->t0 = t0 ? strtod(t0, &end) : 0;
	if (!t0 || *end != '\0' || t->bench->t0 <= 0)
		t->bench->t0 = now_real();
}

void
bench_free(struct tui *t)
{
	if (!t->bench)
		return;
	free(t->bench->file);
	free(t->bench);
	t->bench = NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Page down PAGES times in the top view; times in ms into ms[]. */
static void
bench_pages(struct tui *t, double *ms)
{
	enum tui_action a = keys_lookup(t->top->ops->scope, TK_PGDN);
	double s;
	int i;

	for (i = 0; i < PAGES; i++) {
		s = now_mono();
		if (!view_action(t->top, a))
			break;
		tui_draw(t);
		ms[i] = (now_mono() - s) * 1000;
	}
	for (; i < PAGES; i++)
		ms[i] = -1;
}

/* The key of action a in the top view, timed with its redraw; ms, or -1
 * when the view does not take it.  title: the view's title after it. */
static double
bench_key(struct tui *t, int key, char *title, size_t size)
{
	enum tui_action a = keys_lookup(t->top->ops->scope, key);
	double s = now_mono();

	if (!view_action(t->top, a))
		return -1;
	tui_draw(t);
	s = (now_mono() - s) * 1000;
	t->top->ops->title(t->top, title, size);
	return s;
}

/* Open the first thread of query; returns ms, or -1. */
static double
bench_thread(struct tui *t, const char *query, char *title, size_t size)
{
	struct db_list *l = NULL;
	struct row *rows = NULL;
	size_t n = 0, cap = 0;
	struct pm_err err;
	double s, ms = -1;

	title[0] = '\0';
	if (!query || !tui_db(t) ||
	    db_list_start(t->db, query, 1, &l, &err) != PM_OK)
		return -1;
	db_list_more(l, &rows, &n, &cap, 1);
	db_list_free(&l);
	if (n > 0) {
		s = now_mono();
		tui_push(t, threadview_new(t, rows[0].id, query));
		tui_draw(t);
		ms = (now_mono() - s) * 1000;
		t->top->ops->title(t->top, title, size);
	}
	rows_free(&rows, n);
	return ms;
}

void
bench_frame(struct tui *t)
{
	struct bench *b = t->bench;
	double first, pages[PAGES], sorted[PAGES], thread, bottom, top;
	char title[256], btitle[256], ttitle[256];
	int n = 0, i;
	FILE *f;

	if (b->done)
		return;
	b->done = 1;
	first = (now_real() - b->t0) * 1000;
	bench_pages(t, pages);
	for (i = 0; i < PAGES && pages[i] >= 0; i++)
		sorted[n++] = pages[i];
	qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
	bottom = bench_key(t, 'G', btitle, sizeof btitle);
	top = bench_key(t, 'g', ttitle, sizeof ttitle);
	thread = bench_thread(t, getenv("POPMUCH_TUI_BENCH_THREAD"), title,
			      sizeof title);
	f = fopen(b->file, "w");
	if (f) {
		fprintf(f, "first_screen_ms=%.1f\n", first);
		fprintf(f, "pgdn_count=%d\n", n);
		fprintf(f, "pgdn_median_ms=%.2f\n", n ? sorted[n / 2] : -1.0);
		fprintf(f, "pgdn_max_ms=%.2f\n", n ? sorted[n - 1] : -1.0);
		fprintf(f, "pgdn_first_ms=%.2f\n", n ? pages[0] : -1.0);
		fprintf(f, "bottom_ms=%.1f\n", bottom);
		fprintf(f, "bottom_title=%s\n", btitle);
		fprintf(f, "top_ms=%.1f\n", top);
		fprintf(f, "thread_ms=%.1f\n", thread);
		fprintf(f, "thread_title=%s\n", title);
		fclose(f);
	}
	t->quit = 1;
}
