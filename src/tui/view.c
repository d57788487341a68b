/* view.c: the list-view core (after tig's view.c): a list screen gives
 * its item count, draws one item and acts on its own actions; the loop
 * over the visible items, scrolling and movement are here, once. */
#include "config.h"

#include "tui-int.h"

int
nav_action(struct nav *nav, enum tui_action a, int page)
{
	size_t p = page > 1 ? (size_t)page - 1 : 1;

	switch (a) {
	case ACT_DOWN:
		if (nav->sel + 1 < nav->n)
			nav->sel++;
		break;
	case ACT_UP:
		if (nav->sel > 0)
			nav->sel--;
		break;
	case ACT_PGDN:
		nav->sel = nav->sel + p < nav->n ? nav->sel + p
			   : nav->n		 ? nav->n - 1
						 : 0;
		nav->top += p;
		break;
	case ACT_PGUP:
		nav->sel = nav->sel > p ? nav->sel - p : 0;
		nav->top = nav->top > p ? nav->top - p : 0;
		break;
	case ACT_TOP:
		nav->sel = 0;
		break;
	case ACT_BOTTOM:
		nav->sel = nav->n ? nav->n - 1 : 0;
		break;
	default:
		return 0;
	}
	nav_scroll(nav, page);
	return 1;
}

void
nav_scroll(struct nav *nav, int page)
{
	size_t pg = page > 0 ? (size_t)page : 1;

	if (nav->n && nav->sel >= nav->n)
		nav->sel = nav->n - 1;
	if (nav->top + pg > nav->n)
		nav->top = nav->n > pg ? nav->n - pg : 0;
	if (nav->sel < nav->top)
		nav->top = nav->sel;
	if (nav->sel >= nav->top + pg)
		nav->top = nav->sel - pg + 1;
}

int
nav_scroll_action(struct nav *nav, enum tui_action a, int page)
{
	size_t p = page > 1 ? (size_t)page - 1 : 1;

	switch (a) {
	case ACT_DOWN:
		nav->top++;
		break;
	case ACT_UP:
		if (nav->top)
			nav->top--;
		break;
	case ACT_PGDN:
		nav->top += p;
		break;
	case ACT_PGUP:
		nav->top = nav->top > p ? nav->top - p : 0;
		break;
	case ACT_TOP:
		nav->top = 0;
		break;
	case ACT_BOTTOM:
		nav->top = nav->n;
		break;
	default:
		return 0;
	}
	return 1;
}

int
view_page(const struct view *v, int rows)
{
	int lines = v->ops->row_lines > 0 ? v->ops->row_lines : 1;

	return rows / lines > 0 ? rows / lines : 1;
}

int
view_move(struct view *v, enum tui_action a)
{
	/* the count now, not the last draw's: a G right after the screen
	 * opened comes before its first draw */
	if (v->ops->count)
		v->nav.n = v->ops->count(v);
	if (v->ops->scroll_only)
		return nav_scroll_action(&v->nav, a, view_page(v, tui_rows()));
	return nav_action(&v->nav, a, view_page(v, tui_rows()));
}

/* A list screen's body: the visible items, one draw_row each. */
static void
draw_list(struct view *v, int rows, int cols)
{
	const struct view_ops *o = v->ops;
	struct nav *nav = &v->nav;
	int page = view_page(v, rows);
	int lines = o->row_lines > 0 ? o->row_lines : 1;
	size_t i, n;

	if (o->count)
		nav->n = o->count(v);
	if (o->scroll_only) {
		if (nav->top + (size_t)page > nav->n)
			nav->top =
			    nav->n > (size_t)page ? nav->n - (size_t)page : 0;
	} else {
		nav_scroll(nav, page);
	}
	if (o->draw) { /* lazy loading of what is about to show */
		o->draw(v, rows, cols);
		if (!o->scroll_only)
			nav_scroll(nav, page); /* the list may have changed */
	}
	if (nav->n == 0) {
		if (o->empty)
			disp_text(2, 2, o->empty, ST_NORMAL);
		return;
	}
	n = nav->n;
	for (i = 0; i < (size_t)page && nav->top + i < n; i++)
		o->draw_row(v, nav->top + i, 1 + (int)i * lines, cols,
			    !o->scroll_only && nav->top + i == nav->sel);
}

void
view_draw(struct view *v, int rows, int cols)
{
	if (v->ops->draw_row)
		draw_list(v, rows, cols);
	else
		v->ops->draw(v, rows, cols);
}

int
view_action(struct view *v, enum tui_action a)
{
	if (v->ops->action && v->ops->action(v, a))
		return 1;
	return v->ops->draw_row && view_move(v, a);
}
