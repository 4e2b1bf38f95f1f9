// SPDX-License-Identifier: GPL-2.0-only
/* Per-side figures: collection, merging and output (summary line, JSON). */
#include "result.h"
#include "text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

void side_init(struct side_result *r)
{
	memset(r, 0, sizeof(*r));
	r->ok = 1;
	hist_init(&r->lat);
}

void side_error(struct side_result *r, const char *fmt, ...)
{
	if (r->ok || !r->error[0]) { /* keep the first error: it is the cause */
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->error, sizeof(r->error), fmt, ap);
		va_end(ap);
	}
	r->ok = 0;
}

void side_rusage(struct side_result *r)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru))
		return;
	r->cpu_user_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	r->cpu_sys_s = (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	r->ctx_vol = ru.ru_nvcsw;
	r->ctx_invol = ru.ru_nivcsw;
}

void side_sent(struct side_result *r, uint64_t n)
{
	struct timespec ts;
	r->bytes_sent += n;
	if (clock_gettime(CLOCK_REALTIME, &ts) || ts.tv_sec <= 0)
		return;
	if (!r->sent_first_s)
		r->sent_first_s = (uint64_t)ts.tv_sec;
	uint64_t i = (uint64_t)ts.tv_sec - r->sent_first_s;
	if (i < CT_SENT_SECS) /* seconds before the first are not possible on one clock */
		r->sent_per_s[i] += n;
}

/* Adds from's per-second bytes into into's, on the same seconds. */
static void merge_seconds(struct side_result *into, const struct side_result *from)
{
	if (!from->sent_first_s)
		return;
	if (!into->sent_first_s || from->sent_first_s < into->sent_first_s) {
		uint64_t shift = into->sent_first_s ? into->sent_first_s - from->sent_first_s : 0;
		for (int i = CT_SENT_SECS - 1; i >= 0; i--)
			into->sent_per_s[i] =
				(uint64_t)i >= shift ? into->sent_per_s[i - shift] : 0;
		into->sent_first_s = from->sent_first_s;
	}
	uint64_t off = from->sent_first_s - into->sent_first_s;
	for (uint64_t i = 0; i + off < CT_SENT_SECS; i++)
		into->sent_per_s[i + off] += from->sent_per_s[i];
}

void side_merge(struct side_result *into, const struct side_result *from)
{
	merge_seconds(into, from);
	if (!from->ok && into->ok)
		side_error(into, "%s", from->error);
	into->bytes_sent += from->bytes_sent;
	into->bytes_received += from->bytes_received;
	into->messages_sent += from->messages_sent;
	into->messages_received += from->messages_received;
	into->send_calls += from->send_calls;
	into->gather_bytes += from->gather_bytes;
	into->zc_sends += from->zc_sends;
	into->zc_notifications += from->zc_notifications;
	into->zc_completions += from->zc_completions;
	into->zc_copied += from->zc_copied;
	into->zc_backoffs += from->zc_backoffs;
	into->zc_waits += from->zc_waits;
	into->zc_wait_ns += from->zc_wait_ns;
	if (!into->probe_site[0])
		snprintf(into->probe_site, sizeof(into->probe_site), "%s", from->probe_site);
	if (!into->zc_mode[0])
		snprintf(into->zc_mode, sizeof(into->zc_mode), "%s", from->zc_mode);
	else if (from->zc_mode[0] && strcmp(into->zc_mode, from->zc_mode))
		snprintf(into->zc_mode, sizeof(into->zc_mode), "mixed");
	into->sendfile_calls += from->sendfile_calls;
	into->sendfile_bytes += from->sendfile_bytes;
	into->detached_bytes += from->detached_bytes;
	into->pad_bytes += from->pad_bytes;
	into->rx_mapped_bytes += from->rx_mapped_bytes;
	into->rx_copied_bytes += from->rx_copied_bytes;
	into->rx_zc_calls += from->rx_zc_calls;
	into->verify_errors += from->verify_errors;
	into->window_bytes += from->window_bytes;
	if (from->window_s > into->window_s)
		into->window_s = from->window_s;
	hist_merge(&into->lat, &from->lat);
}

double run_gbps(const struct side_result *c)
{
	return c->window_s > 0 ? (double)c->window_bytes * 8 / c->window_s / 1e9 : 0;
}

static void lat_json(FILE *f, const struct hist *h)
{
	fprintf(f,
		"{\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p999\": %.3f, "
		"\"max\": %.3f, \"mean\": %.3f, \"count\": %llu}",
		hist_quantile(h, 0.5) / 1e3, hist_quantile(h, 0.9) / 1e3,
		hist_quantile(h, 0.99) / 1e3, hist_quantile(h, 0.999) / 1e3,
		h->count ? h->max / 1e3 : 0, hist_mean(h) / 1e3, (unsigned long long)h->count);
}

void json_str(FILE *f, const char *s)
{
	/* clean first (text.h): the document stays valid UTF-8, whatever
	 * bytes a traced program's name holds */
	char small[256], *c = small;
	size_t n = text_clean_size(s);
	if (n > sizeof(small) && !(c = malloc(n)))
		c = small, n = sizeof(small);
	text_clean(c, n, s);
	fputc('"', f);
	for (const char *p = c; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputc('"', f);
	if (c != small)
		free(c);
}

#define U(x) ((unsigned long long)(x))

void side_json(FILE *f, const char *name, const struct side_result *r, int ind)
{
	fprintf(f, "%*s\"%s\": {\"ok\": %s, \"error\": ", ind, "", name, r->ok ? "true" : "false");
	json_str(f, r->error);
	fprintf(f,
		", \"bytes_sent\": %llu, \"bytes_received\": %llu, "
		"\"messages_sent\": %llu, \"messages_received\": %llu, "
		"\"send_calls\": %llu, \"gather_bytes\": %llu, \"zc_sends\": %llu, "
		"\"zc_notifications\": %llu, \"zc_completions\": %llu, "
		"\"zc_copied\": %llu, \"zc_backoffs\": %llu, \"zc_waits\": %llu, "
		"\"zc_wait_ns\": %llu, "
		"\"sendfile_calls\": %llu, \"sendfile_bytes\": %llu, \"detached_bytes\": %llu, "
		"\"pad_bytes\": %llu, "
		"\"rx_mapped_bytes\": %llu, \"rx_copied_bytes\": %llu, \"rx_zc_calls\": %llu, "
		"\"verify_errors\": %llu, "
		"\"window_bytes\": %llu, "
		"\"window_s\": %.6f, \"elapsed_s\": %.6f, \"cpu_user_s\": %.6f, "
		"\"cpu_sys_s\": %.6f, \"ctx_voluntary\": %ld, \"ctx_involuntary\": %ld",
		U(r->bytes_sent), U(r->bytes_received), U(r->messages_sent),
		U(r->messages_received), U(r->send_calls), U(r->gather_bytes), U(r->zc_sends),
		U(r->zc_notifications), U(r->zc_completions), U(r->zc_copied), U(r->zc_backoffs),
		U(r->zc_waits), U(r->zc_wait_ns), U(r->sendfile_calls), U(r->sendfile_bytes),
		U(r->detached_bytes), U(r->pad_bytes), U(r->rx_mapped_bytes), U(r->rx_copied_bytes),
		U(r->rx_zc_calls), U(r->verify_errors), U(r->window_bytes), r->window_s,
		r->elapsed_s, r->cpu_user_s, r->cpu_sys_s, r->ctx_vol, r->ctx_invol);
	fputs(", \"zc_mode\": ", f);
	json_str(f, r->zc_mode);
	fputs(", \"probe_site\": ", f);
	json_str(f, r->probe_site);
	fputs(", \"latency_us\": ", f);
	lat_json(f, &r->lat);
	if (r->sent_first_s) { /* only a side that sent, so recorded runs read as before */
		int n = CT_SENT_SECS;
		while (n > 0 && !r->sent_per_s[n - 1])
			n--;
		fprintf(f, ", \"sent_per_s\": {\"first_s\": %llu, \"bytes\": [",
			U(r->sent_first_s));
		for (int i = 0; i < n; i++)
			fprintf(f, "%s%llu", i ? ", " : "", U(r->sent_per_s[i]));
		fputs("]}", f);
	}
	fputc('}', f);
}

/* trace_run --role: the figures of the side that ran elsewhere are the
 * peer's, written as null, never as a measured 0. */
static void u64_or_null(FILE *f, int here, uint64_t v)
{
	if (here)
		fprintf(f, "%llu", U(v));
	else
		fputs("null", f);
}

void run_json(FILE *f, const struct run_result *r, int ind)
{
	const struct ct_opts *o = &r->opts;
	const struct side_result *s = &r->server, *c = &r->client;
	int hs = o->host_role != HOST_CLIENT, hc = o->host_role != HOST_SERVER;
	/* one-way delivery latency needs one clock: both sides here */
	int lat = hc && (o->mode == MODE_RR || hs);
	fprintf(f,
		"{\n%*s\"impl\": \"%s\", \"size\": %zu, \"threads\": %d, "
		"\"mode\": \"%s\", \"net\": \"%s\", \"duration_s\": %.3f, "
		"\"verify\": %s, \"rx\": \"%s\", \"tls_send\": %s%s%s,\n",
		ind + 2, "", impl_name(o->impl), o->size, o->threads, mode_name(o->mode),
		net_name(o->net), o->duration, o->verify ? "true" : "false", rx_name(o->rx),
		o->impl == IMPL_A6 ? "\"" : "",
		o->impl == IMPL_A6 ? tls_send_name(o->tls_send) : "null",
		o->impl == IMPL_A6 ? "\"" : "");
	fprintf(f, "%*s\"ok\": %s, \"throughput_gbps\": ", ind + 2, "",
		(!hs || s->ok) && (!hc || c->ok) ? "true" : "false");
	if (hc)
		fprintf(f, "%.6f", run_gbps(c));
	else
		fputs("null", f);
	/* messages in the window: one latency sample each, or (--role client,
	 * stream: no one-way latency) the messages received */
	double msgs = lat ? (double)c->lat.count : (double)c->messages_received;
	fprintf(f, ", \"messages_per_s\": ");
	if (hc)
		fprintf(f, "%.1f", c->window_s > 0 ? msgs / c->window_s : 0);
	else
		fputs("null", f);
	fprintf(f, ", \"latency_kind\": \"%s\", \"latency_us\": ",
		o->mode == MODE_RR ? "round_trip" : "one_way_delivery");
	if (lat)
		lat_json(f, &c->lat);
	else
		fputs("null", f);
	fprintf(f, ",\n%*s\"bytes_sent\": ", ind + 2, "");
	u64_or_null(f, hs, s->bytes_sent);
	fputs(", \"bytes_received\": ", f);
	u64_or_null(f, hc, c->bytes_received);
	fprintf(f, ", \"messages\": %llu, \"zc_completions\": ",
		U(hc ? c->messages_received : s->messages_sent));
	u64_or_null(f, hs, s->zc_completions);
	fputs(", \"zc_copied\": ", f);
	u64_or_null(f, hs, s->zc_copied);
	fputs(", \"verify_errors\": ", f);
	u64_or_null(f, hc, c->verify_errors);
	fputs(",\n", f);
	if (hs)
		side_json(f, "server", s, ind + 2);
	else
		fprintf(f, "%*s\"server\": null", ind + 2, "");
	fputs(",\n", f);
	if (hc)
		side_json(f, "client", c, ind + 2);
	else
		fprintf(f, "%*s\"client\": null", ind + 2, "");
	fprintf(f, "\n%*s}", ind, "");
}

/* The sender's own figures of the summary line (a3, a4, a5). */
static void sender_summary(FILE *f, const struct ct_opts *o, const struct side_result *s)
{
	if (o->impl == IMPL_A3)
		fprintf(f, ", zerocopy %llu/%llu completed, %llu copied", U(s->zc_completions),
			U(s->zc_sends), U(s->zc_copied));
	if (o->impl == IMPL_A4)
		fprintf(f, ", io_uring zerocopy %s: %llu/%llu notifications, %llu flagged copied",
			s->zc_mode, U(s->zc_notifications), U(s->zc_sends), U(s->zc_copied));
	if (o->impl == IMPL_A5)
		fprintf(f,
			", by reference %llu B in %llu splice calls (%llu B of it padding), "
			"%llu B detached from the memfd",
			U(s->sendfile_bytes), U(s->sendfile_calls), U(s->pad_bytes),
			U(s->detached_bytes));
	if (o->impl == IMPL_A6 && o->tls_send == TLS_SEND_SENDFILE)
		fprintf(f, ", kTLS: header by send, %llu B by sendfile in %llu calls",
			U(s->sendfile_bytes), U(s->sendfile_calls));
	else if (o->impl == IMPL_A6)
		fprintf(f, ", kTLS: by sendmsg");
}

/* The receiving side's own figures (a client without its server here). */
static void receiver_summary(FILE *f, const struct ct_opts *o, const struct side_result *me)
{
	const struct hist *h = &me->lat;
	fprintf(f, "%.3f Gbit/s, %.0f msg/s, ", run_gbps(me),
		me->window_s > 0 ? (double)me->messages_received / me->window_s : 0);
	if (o->mode == MODE_RR)
		fprintf(f, "round-trip latency p50 %.1f p99 %.1f us, ", hist_quantile(h, .5) / 1e3,
			hist_quantile(h, .99) / 1e3);
	fprintf(f, "received %llu B in %llu messages", U(me->bytes_received),
		U(me->messages_received));
	if (o->rx == RX_ZEROCOPY)
		fprintf(f, ", rx zerocopy: %llu B mapped, %llu B copied", U(me->rx_mapped_bytes),
			U(me->rx_copied_bytes));
	if (o->verify)
		fprintf(f, ", %llu verify errors", U(me->verify_errors));
}

/* trace_run --role: this host's side only, and who its peer was. */
static void role_summary(FILE *f, const struct run_result *r)
{
	const struct ct_opts *o = &r->opts;
	int server = o->host_role == HOST_SERVER;
	const struct side_result *me = server ? &r->server : &r->client;
	fprintf(f, "%s %s size=%zu threads=%d, role %s, peer %s (not traced here): ",
		impl_name(o->impl), mode_name(o->mode), o->size, o->threads,
		server ? "server" : "client", me->peer[0] ? me->peer : "none");
	if (server) {
		fprintf(f, "sent %llu B in %llu messages", U(me->bytes_sent), U(me->messages_sent));
		sender_summary(f, o, me);
	} else {
		receiver_summary(f, o, me);
	}
	fputc('\n', f);
}

void client_summary(FILE *f, const struct run_result *r)
{
	const struct ct_opts *o = &r->opts;
	fprintf(f, "%s%s %s size=%zu threads=%d, server %s: ", impl_name(o->impl),
		o->impl == IMPL_A6 ? (o->tls_send == TLS_SEND_SENDFILE ? " (kTLS, sendfile)"
								       : " (kTLS, sendmsg)")
				   : "",
		mode_name(o->mode), o->size, o->threads,
		r->client.peer[0] ? r->client.peer : "none");
	receiver_summary(f, o, &r->client);
	fputc('\n', f);
}

void run_summary(FILE *f, const struct run_result *r)
{
	const struct ct_opts *o = &r->opts;
	const struct side_result *s = &r->server, *c = &r->client;
	const struct hist *h = &c->lat;
	if (o->host_role) {
		role_summary(f, r);
		return;
	}
	fprintf(f,
		"%s %s size=%zu threads=%d net=%s: %.3f Gbit/s, %.0f msg/s, "
		"%s latency p50 %.1f p99 %.1f p99.9 %.1f max %.1f us, "
		"sent %llu B, received %llu B",
		impl_name(o->impl), mode_name(o->mode), o->size, o->threads, net_name(o->net),
		run_gbps(c), c->window_s > 0 ? (double)h->count / c->window_s : 0,
		o->mode == MODE_RR ? "round-trip" : "delivery", hist_quantile(h, .5) / 1e3,
		hist_quantile(h, .99) / 1e3, hist_quantile(h, .999) / 1e3,
		h->count ? h->max / 1e3 : 0, U(s->bytes_sent), U(c->bytes_received));
	sender_summary(f, o, s);
	if (o->rx == RX_ZEROCOPY)
		fprintf(f, ", rx zerocopy: %llu B mapped, %llu B copied", U(c->rx_mapped_bytes),
			U(c->rx_copied_bytes));
	if (o->verify)
		fprintf(f, ", %llu verify errors", U(c->verify_errors));
	fputc('\n', f);
}
