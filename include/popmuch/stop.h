/* stop.h: a request to stop, from a signal handler to every wait.
 *
 * main.c catches SIGTERM, SIGINT and SIGHUP during "popmuch fetch" and
 * calls stop_request() from the handler.  Code that waits (net.c's
 * poll, passwordeval) watches stop_fd(), which stays readable from the
 * request on, so that a wait in any thread ends at once, whichever
 * thread the signal was delivered to; and checks stop_requested()
 * before each system call that could block. */
#ifndef POPMUCH_STOP_H
#define POPMUCH_STOP_H

/* Create the pipe behind stop_fd().  Call once, before any thread is
 * started and before the handler is installed. */
void stop_init(void);

/* Ask every wait to end.  Async-signal-safe; sig is the signal number
 * (the first request's is kept). */
void stop_request(int sig);

/* The signal number of the first request, or 0. */
int stop_requested(void);

/* A descriptor that polls readable (POLLIN) once a stop was requested,
 * or -1 before stop_init(). */
int stop_fd(void);

/* poll(2) fd for events and the stop pipe together, up to ms
 * milliseconds: poll's result (a stop counts as ready; the caller looks
 * at stop_requested()). */
int stop_poll(int fd, short events, int ms);

/* Milliseconds of CLOCK_MONOTONIC, the clock every wait's deadline is
 * measured on. */
long long stop_clock_ms(void);

/* "SIGTERM" etc. for the requested signal ("signal" when unknown). */
const char *stop_signal_name(void);

#endif
