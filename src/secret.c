/* secret.c: where a password comes from, and keeping it out of sight.
 *
 * Every buffer that held a secret is wiped before it is freed.  The
 * passwordeval command runs through /bin/sh -c with its stdout on a pipe
 * and stderr inherited; only its first line is read, within the
 * account's timeout, and its output is never put into an error
 * message. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "popmuch/account.h"
#include "popmuch/parse.h"
#include "popmuch/secret.h"
#include "popmuch/stop.h"
#include "popmuch/xmalloc.h"

extern char **environ;

#define SECRET_MAX (64 * 1024) /* OAuth2 tokens are a few KiB */
#define NETRC_MAX (1024 * 1024)
#define PROMPT_MAX 1024

/* ---- passwordeval ------------------------------------------------------ */

/* The whole command, from start to exit, gets the account's 'timeout'
 * (default 180 s: room for a pinentry prompt).  Its first line is all
 * that is read: a command that leaves a process behind holding its
 * stdout ("echo p; sleep 25 &") does not hold up the run. */
#define EVAL_KILL_GRACE_MS 1000 /* SIGTERM, then SIGKILL */
#define EVAL_REAP_POLL_MS 10

/* Wait up to ms for fd to be readable, or a stop request (stop.h).
 * Returns >0 readable, 0 timeout, -1 stopped. */
static int
eval_poll(int fd, long long ms)
{
	int r;

	if (ms < 0)
		ms = 0;
	r = stop_poll(fd, POLLIN, (int)ms);
	if (stop_requested())
		return -1;
	return r < 0 ? 1 : r; /* EINTR: look again */
}

/* Read fd up to its first LF (or EOF, or SECRET_MAX bytes) by deadline
 * into *buf_r (NUL-terminated; *len_r bytes to wipe).  Returns 1 when
 * done, 0 at the deadline, -1 when stopped. */
static int
read_first_line(int fd, long long deadline, char **buf_r, size_t *len_r)
{
	char *buf = xmalloc(SECRET_MAX + 1);
	size_t len = 0;
	ssize_t n;
	int r = 1;

	while (len < SECRET_MAX && memchr(buf, '\n', len) == NULL) {
		if ((r = eval_poll(fd, deadline - stop_clock_ms())) <= 0)
			break;
		n = read(fd, buf + len, SECRET_MAX - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*buf_r = buf;
	*len_r = len;
	return r <= 0 ? r : 1;
}

/* Reap pid by deadline: 1 with *status_r, 0 at the deadline, -1 when
 * a stop was requested (if heed_stop), -2 when waitpid fails. */
static int
reap_by(pid_t pid, long long deadline, int heed_stop, int *status_r)
{
	pid_t r;

	for (;;) {
		r = waitpid(pid, status_r, WNOHANG);
		if (r == pid)
			return 1;
		if (r < 0 && errno != EINTR)
			return -2;
		if (stop_clock_ms() >= deadline)
			return 0;
		if (heed_stop && stop_requested())
			return -1;
		(void)poll(NULL, 0, EVAL_REAP_POLL_MS);
	}
}

/* Stop the command: SIGTERM, SIGKILL after a grace period, reaped. */
static void
stop_child(pid_t pid)
{
	int status;

	(void)kill(pid, SIGTERM);
	if (reap_by(pid, stop_clock_ms() + EVAL_KILL_GRACE_MS, 0, &status) != 0)
		return; /* reaped (or not ours to wait for) */
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

static enum pm_status
child_status(int status, struct pm_err *err)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return PM_OK;
	if (WIFEXITED(status))
		return err_set(err, PM_CONFIG,
			       "passwordeval command failed "
			       "with exit status %d",
			       WEXITSTATUS(status));
	return err_set(err, PM_CONFIG,
		       "passwordeval command killed by "
		       "signal %d",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static enum pm_status
spawn_eval(const char *cmd, int out_fd, pid_t *pid_r, struct pm_err *err)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {(char *)(uintptr_t) "sh", (char *)(uintptr_t) "-c",
			(char *)(uintptr_t)cmd, NULL};
	int rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		fatal("posix_spawn_file_actions_init");
	(void)posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
	rc = posix_spawn(pid_r, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return err_set(err, PM_CONFIG,
			       "passwordeval: cannot run "
			       "/bin/sh: %s",
			       strerror(rc));
	return PM_OK;
}

/* Why the command was stopped, as an error (never its output). */
static enum pm_status
eval_stopped(int got_line, int timeout, struct pm_err *err)
{
	if (stop_requested())
		return err_set(err, PM_TEMPFAIL,
			       "passwordeval command interrupted by signal "
			       "(%s)",
			       stop_signal_name());
	return err_set(err, PM_TIMEOUT,
		       got_line ? "passwordeval command did not exit within "
				  "%d seconds (the account's 'timeout'); it "
				  "was stopped"
				: "passwordeval command printed no line within "
				  "%d seconds (the account's 'timeout'); it "
				  "was stopped",
		       timeout);
}

/* Run cmd; its first output line (without the line end) is the secret. */
enum pm_status
secret_eval(const char *cmd, int timeout, char **secret_r, struct pm_err *err)
{
	long long deadline;
	int fds[2], r, status = 0;
	pid_t pid;
	char *buf;
	size_t len;
	enum pm_status st;

	if (timeout <= 0)
		timeout = 180;
	if (pipe2(fds, O_CLOEXEC) != 0)
		return err_set(err, PM_CONFIG, "passwordeval: pipe: %s",
			       strerror(errno));
	deadline = stop_clock_ms() + (long long)timeout * 1000;
	st = spawn_eval(cmd, fds[1], &pid, err);
	(void)close(fds[1]);
	if (st != PM_OK) {
		(void)close(fds[0]);
		return st;
	}
	r = read_first_line(fds[0], deadline, &buf, &len);
	(void)close(fds[0]); /* what else it writes is not read */
	if (r == 1)
		r = reap_by(pid, deadline, 1, &status);
	if (r == -2) {
		st = err_set(err, PM_CONFIG, "passwordeval: waitpid: %s",
			     strerror(errno));
	} else if (r != 1) {
		stop_child(pid);
		st = eval_stopped(memchr(buf, '\n', len) != NULL, timeout, err);
	} else {
		st = child_status(status, err);
	}
	if (st == PM_OK) {
		buf[strcspn(buf, "\n")] = '\0';
		if (strlen(buf) > 0 && buf[strlen(buf) - 1] == '\r')
			buf[strlen(buf) - 1] = '\0';
		if (buf[0] == '\0')
			st = err_set(err, PM_CONFIG,
				     "passwordeval command "
				     "printed no password");
	}
	if (st == PM_OK)
		*secret_r = xstrdup(buf);
	xwipe(buf, len);
	free(buf);
	return st;
}

/* ---- netrc ------------------------------------------------------------- */

/* Next whitespace-separated token of the netrc text at *pp (a quoted
 * token may hold blanks).  NUL-terminates it in place; NULL at the end. */
static char *
netrc_token(char **pp)
{
	int bad;

	return parse_word(pp, " \t\r\n", PARSE_QUOTE_LENIENT, &bad);
}

/* Skip a macdef body: everything up to an empty line. */
static void
netrc_skip_macdef(char **pp)
{
	char *end = strstr(*pp, "\n\n");

	*pp = end != NULL ? end + 2 : *pp + strlen(*pp);
}

struct netrc_entry {
	int active; /* inside an entry that matches host */
	int is_default;
	const char *login;
	const char *password;
};

/* Does the finished entry e answer for user?  */
static int
netrc_match(const struct netrc_entry *e, const char *user)
{
	return e->active && e->password != NULL &&
	       (user == NULL || e->login == NULL ||
		strcmp(e->login, user) == 0);
}

static char *
netrc_scan(char *text, const char *host, const char *user)
{
	struct netrc_entry e = {0}, def = {0};
	char *p = text, *tok, *val;

	while ((tok = netrc_token(&p)) != NULL) {
		if (strcmp(tok, "machine") == 0 ||
		    strcmp(tok, "default") == 0) {
			if (netrc_match(&e, user) && !e.is_default)
				return xstrdup(e.password);
			if (e.is_default && def.password == NULL)
				def = e;
			memset(&e, 0, sizeof(e));
			e.is_default = tok[0] == 'd';
			if (e.is_default)
				e.active = 1;
			else if ((val = netrc_token(&p)) != NULL)
				e.active = strcasecmp(val, host) == 0;
		} else if (strcmp(tok, "macdef") == 0) {
			(void)netrc_token(&p);
			netrc_skip_macdef(&p);
		} else if (strcmp(tok, "login") == 0 ||
			   strcmp(tok, "password") == 0 ||
			   strcmp(tok, "account") == 0) {
			if ((val = netrc_token(&p)) == NULL)
				break;
			if (tok[0] == 'l')
				e.login = val;
			else if (tok[0] == 'p')
				e.password = val;
		}
	}
	if (netrc_match(&e, user) && !e.is_default)
		return xstrdup(e.password);
	if (e.is_default)
		def = e;
	return netrc_match(&def, user) ? xstrdup(def.password) : NULL;
}

/* As secret_netrc_lookup; *exposed_r is set when the file exists but is
 * readable by others and was therefore ignored (as ftp(1) does). */
static char *
netrc_lookup(const char *path, const char *host, const char *user,
	     int *exposed_r)
{
	struct stat st;
	char *text, *found = NULL;
	ssize_t n;
	size_t len = 0;
	int fd;

	*exposed_r = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > NETRC_MAX) {
		(void)close(fd);
		return NULL;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		*exposed_r = 1;
		(void)close(fd);
		return NULL;
	}
	text = xmalloc((size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, text + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	(void)close(fd);
	text[len] = '\0';
	if (memchr(text, '\0', len) == NULL)
		found = netrc_scan(text, host, user);
	xwipe(text, len);
	free(text);
	return found;
}

char *
secret_netrc_lookup(const char *path, const char *host, const char *user)
{
	int exposed;

	return netrc_lookup(path, host, user, &exposed);
}

/* ---- prompt ------------------------------------------------------------ */

static pthread_mutex_t prompt_lock = PTHREAD_MUTEX_INITIALIZER;

/* Read one line from tty with echo off into buf. */
static ssize_t
tty_read_noecho(int tty, char *buf, size_t size)
{
	struct termios old, noecho;
	size_t len = 0;
	ssize_t n, echoed;
	char c;

	if (tcgetattr(tty, &old) != 0)
		return -1;
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	if (tcsetattr(tty, TCSAFLUSH, &noecho) != 0)
		return -1;
	for (;;) {
		n = read(tty, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || c == '\n' || c == '\r')
			break;
		if (len + 1 < size)
			buf[len++] = c;
	}
	c = 0;
	buf[len] = '\0';
	(void)tcsetattr(tty, TCSAFLUSH, &old);
	echoed = write(tty, "\n", 1); /* the newline typed was not echoed */
	(void)echoed;
	return n < 0 ? -1 : (ssize_t)len;
}

static char *
secret_prompt(const struct account *acct)
{
	char buf[PROMPT_MAX], *prompt, *got = NULL;
	ssize_t len;
	int tty;

	if (!isatty(STDIN_FILENO))
		return NULL;
	tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (tty < 0)
		return NULL;
	prompt = xasprintf("popmuch: password for %s%s%s (account %s): ",
			   acct->user ? acct->user : "", acct->user ? "@" : "",
			   acct->host, acct->name);
	(void)pthread_mutex_lock(&prompt_lock);
	if (write(tty, prompt, strlen(prompt)) >= 0) {
		len = tty_read_noecho(tty, buf, sizeof(buf));
		if (len > 0)
			got = xstrdup(buf);
	}
	(void)pthread_mutex_unlock(&prompt_lock);
	xwipe(buf, sizeof(buf));
	free(prompt);
	(void)close(tty);
	return got;
}

/* ---- the order --------------------------------------------------------- */

static char *
netrc_path(void)
{
	char *home = account_home(), *path;

	path = home != NULL ? xasprintf("%s/.netrc", home) : NULL;
	free(home);
	return path;
}

enum pm_status
secret_get(const struct account *acct, char **secret_r, struct pm_err *err)
{
	char *path, *s = NULL;
	int exposed = 0;

	*secret_r = NULL;
	if (acct->password != NULL && acct->password[0] == '\0')
		return err_set(err, PM_SOFTWARE,
			       "the password of account %s was wiped after "
			       "its login (one login per account and run)",
			       acct->name);
	if (acct->password != NULL) {
		*secret_r = xstrdup(acct->password);
		return PM_OK;
	}
	if (acct->passwordeval != NULL)
		return secret_eval(acct->passwordeval, acct->timeout, secret_r,
				   err);
	path = netrc_path();
	if (path != NULL && acct->host != NULL)
		s = netrc_lookup(path, acct->host, acct->user, &exposed);
	free(path);
	if (s == NULL)
		s = secret_prompt(acct);
	if (s == NULL)
		return err_set(err, PM_NOPERM,
			       "no password configured for "
			       "account %s (set password, passwordeval, or "
			       "~/.netrc; for the key ring, where mpop keeps "
			       "it: passwordeval \"secret-tool lookup host %s "
			       "service pop3 user %s\")%s",
			       acct->name, acct->host ? acct->host : "HOST",
			       acct->user ? acct->user : "USER",
			       exposed ? "; ~/.netrc was ignored because "
					 "others can read it (chmod 600 "
					 "~/.netrc)"
				       : "");
	*secret_r = s;
	return PM_OK;
}

void
secret_forget(const struct account *acct)
{
	/* The string is the account's own (config.c allocates it); only
	 * the pointer is const here.  An empty password is never stored
	 * (it unsets the keyword), so "" marks a wiped one. */
	if (acct->password != NULL)
		xwipe(acct->password, strlen(acct->password));
}
