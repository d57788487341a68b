/* tap.h: a tiny TAP producer for unit tests (header-only).
 *
 *   plan_lazy();  ok(cond, "name %d", i);  is_int(a, b, "name");
 *   is_str(a, b, "name");  is_mem(a, alen, b, blen, "name");
 *   return done_testing();
 */
#ifndef POPMUCH_TAP_H
#define POPMUCH_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

__attribute__((format(printf, 2, 0))) static void
tap_vresult(int pass, const char *fmt, va_list ap)
{
	tap_n++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

__attribute__((format(printf, 2, 3), unused)) static int
ok(int pass, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	return pass;
}

__attribute__((format(printf, 1, 2), unused)) static void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#define is_int(got, want, ...)                                                 \
	do {                                                                   \
		long long tap_g_ = (long long)(got),                           \
			  tap_w_ = (long long)(want);                          \
		if (!ok(tap_g_ == tap_w_, __VA_ARGS__))                        \
			diag("  got %lld, want %lld", tap_g_, tap_w_);         \
	} while (0)

#define is_str(got, want, ...)                                                 \
	do {                                                                   \
		const char *tap_g_ = (got), *tap_w_ = (want);                  \
		int tap_p_ = (tap_g_ == NULL && tap_w_ == NULL) ||             \
			     (tap_g_ != NULL && tap_w_ != NULL &&              \
			      strcmp(tap_g_, tap_w_) == 0);                    \
		if (!ok(tap_p_, __VA_ARGS__))                                  \
			diag("  got \"%s\", want \"%s\"",                      \
			     tap_g_ ? tap_g_ : "(null)",                       \
			     tap_w_ ? tap_w_ : "(null)");                      \
	} while (0)

#define is_mem(got, glen, want, wlen, ...)                                     \
	do {                                                                   \
		size_t tap_gl_ = (glen), tap_wl_ = (wlen);                     \
		if (!ok(tap_gl_ == tap_wl_ &&                                  \
			    memcmp((got), (want), tap_gl_) == 0,               \
			__VA_ARGS__))                                          \
			diag("  lengths %zu and %zu", tap_gl_, tap_wl_);       \
	} while (0)

__attribute__((unused)) static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
