// SPDX-License-Identifier: GPL-2.0-only
/* The /metrics server (exporter.h). */
#include "exporter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/errf.h"
#include "writer.h"

#ifdef CT_NO_EXPORTER /* make EXPORTER=0: no libmicrohttpd */
int exporter_open(struct exporter *e, const char *addr, uint16_t port, char *err, size_t errlen)
{
	(void)addr, (void)port;
	memset(e, 0, sizeof(*e));
	return errf(err, errlen,
		    "--exporter: this trace_run was built without libmicrohttpd "
		    "(make EXPORTER=0)");
}
int exporter_publish(struct exporter *e, const struct ct_snapshot *s)
{
	(void)e, (void)s;
	return 0;
}
void exporter_close(struct exporter *e)
{
	(void)e;
}
#else
#include <microhttpd.h>

static const char INDEX[] = "<html><head><title>copytrace exporter</title></head><body>"
			    "<h1>copytrace exporter</h1><p><a href=\"/metrics\">Metrics</a></p>"
			    "</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code, const char *type, char *body,
			     size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, "Allow", "GET");
	enum MHD_Result ok = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct exporter *e = cls;
	(void)version, (void)upload, (void)con_cls;
	static char not_allowed[] = "only GET\n", not_found[] = "not found: try /metrics\n",
		    not_yet[] = "no snapshot yet\n";
	if (*upload_size) /* a body: not ours */
		return MHD_NO;
	if (strcmp(method, "GET"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", not_allowed,
			     strlen(not_allowed), MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8", (char *)INDEX,
			     strlen(INDEX), MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", not_found, strlen(not_found),
			     MHD_RESPMEM_PERSISTENT);
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
	int om = accept && strstr(accept, "application/openmetrics-text");
	pthread_mutex_lock(&e->mu);
	size_t len = e->len[om];
	char *buf = e->text[om] ? malloc(len ? len : 1) : NULL;
	if (buf)
		memcpy(buf, e->text[om], len);
	int have = e->text[om] != NULL;
	e->scrapes++;
	pthread_mutex_unlock(&e->mu);
	if (!have)
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", not_yet,
			     strlen(not_yet), MHD_RESPMEM_PERSISTENT);
	if (!buf)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK,
		     om ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
			: "text/plain; version=0.0.4; charset=utf-8",
		     buf, len, MHD_RESPMEM_MUST_FREE);
}

/* The listening socket, made here so that a busy port or a foreign
 * address is named with its errno. */
static int listen_on(const char *addr, uint16_t port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		sl = sizeof(*a4);
	} else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		sl = sizeof(*a6);
	} else {
		errf(err, errlen, "--exporter: '%s' is not an IPv4 or IPv6 address", addr);
		return -1;
	}
	int one = 1, fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, 64)) {
		errf(err, errlen, "--exporter: cannot listen on %s%s%s:%u: %s",
		     ss.ss_family == AF_INET6 ? "[" : "", addr, ss.ss_family == AF_INET6 ? "]" : "",
		     port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int exporter_open(struct exporter *e, const char *addr, uint16_t port, char *err, size_t errlen)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->mu, NULL);
	if ((e->lfd = listen_on(addr, port, err, errlen)) < 0)
		return -1;
	/* the server's thread inherits this mask: signals stay the main's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	e->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle, e,
				MHD_OPTION_LISTEN_SOCKET, e->lfd, MHD_OPTION_CONNECTION_LIMIT,
				(unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
				MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e->d) {
		close(e->lfd);
		e->lfd = -1;
		return errf(err, errlen, "--exporter: libmicrohttpd did not start");
	}
	e->lfd = -1; /* the daemon's now: MHD_stop_daemon closes it */
	return 0;
}

/* One format's exposition of s, in a buffer of its own (NULL: no memory). */
static char *render(const struct report_writer *w, const struct ct_snapshot *s, size_t *len)
{
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);
	if (!m)
		return NULL;
	int bad = w->write(m, s);
	if (fclose(m) || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

int exporter_publish(struct exporter *e, const struct ct_snapshot *s)
{
	size_t len[2];
	char *t[2] = { render(&writer_prom, s, &len[0]), render(&writer_openmetrics, s, &len[1]) };
	if (!t[0] || !t[1]) {
		free(t[0]);
		free(t[1]);
		return -1;
	}
	/* held for two swaps; a scrape holds it for one copy */
	pthread_mutex_lock(&e->mu);
	for (int i = 0; i < 2; i++) {
		char *old = e->text[i];
		e->text[i] = t[i];
		e->len[i] = len[i];
		t[i] = old;
	}
	pthread_mutex_unlock(&e->mu);
	free(t[0]);
	free(t[1]);
	return 0;
}

void exporter_close(struct exporter *e)
{
	if (e->d)
		MHD_stop_daemon(e->d); /* joins its thread: no scrape is left running */
	e->d = NULL;
	if (e->lfd >= 0)
		close(e->lfd);
	e->lfd = -1;
	for (int i = 0; i < 2; i++) {
		free(e->text[i]);
		e->text[i] = NULL;
	}
}
#endif
