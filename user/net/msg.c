// SPDX-License-Identifier: GPL-2.0-only
/* Message layout, stamping and the verification pattern. */
#include "msg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

void msg_split(size_t plen, size_t flen[CT_FIELDS])
{
	for (int i = 0; i < CT_FIELDS; i++)
		flen[i] = plen / CT_FIELDS + ((size_t)i < plen % CT_FIELDS);
}

int msg_alloc(struct ct_msg *m, size_t size)
{
	memset(m, 0, sizeof(*m));
	if (size < CT_HDR_SIZE)
		return -1;
	m->size = size;
	msg_split(size - CT_HDR_SIZE, m->flen);
	m->hdr = calloc(1, CT_HDR_SIZE);
	if (!m->hdr)
		return -1;
	m->iov[0] = (struct iovec){ m->hdr, CT_HDR_SIZE };
	for (int i = 0; i < CT_FIELDS; i++) {
		/* Each field is its own heap string (+1 for the NUL that is
		 * not sent), as an application's record fields would be. */
		m->field[i] = malloc(m->flen[i] + 1);
		if (!m->field[i]) {
			msg_free(m);
			return -1;
		}
		m->field[i][m->flen[i]] = '\0';
		m->iov[i + 1] = (struct iovec){ m->field[i], m->flen[i] };
	}
	return 0;
}

void msg_free(struct ct_msg *m)
{
	free(m->hdr);
	for (int i = 0; i < CT_FIELDS; i++)
		free(m->field[i]);
	memset(m, 0, sizeof(*m));
}

void msg_fill_text(struct ct_msg *m)
{
	static const char txt[] = "copytrace-field-";
	for (int i = 0; i < CT_FIELDS; i++)
		for (size_t j = 0; j < m->flen[i]; j++)
			m->field[i][j] = txt[j % (sizeof(txt) - 1)];
}

uint32_t hdr_check(const struct ct_hdr *h)
{
	/* FNV-1a over the header's fields before `check`. */
	const unsigned char *p = (const unsigned char *)h;
	uint32_t x = 2166136261u;
	for (size_t i = 0; i < offsetof(struct ct_hdr, check); i++)
		x = (x ^ p[i]) * 16777619u;
	return x;
}

size_t msg_page_pad(size_t plen)
{
	return plen % CT_PAGE > CT_PAGE / 2 ? msg_pad_to_page(plen) : 0;
}

void msg_stamp(struct ct_msg *m, uint64_t seq, uint64_t now_ns, int pattern)
{
	struct ct_hdr *h = m->hdr;
	h->magic = CT_MAGIC;
	h->len = (uint32_t)m->size;
	h->seq = seq;
	h->send_ns = now_ns;
	h->flags = (pattern ? CT_HDR_PATTERN : 0) | m->hdr_flags;
	h->check = hdr_check(h);
	if (pattern) {
		size_t off = 0;
		for (int i = 0; i < CT_FIELDS; i++) {
			pattern_fill(m->field[i], off, m->flen[i], seq);
			off += m->flen[i];
		}
	}
}

/* Word w of message seq's payload. Cheap (one multiply-xor), and every
 * word depends on seq, so a slot rewritten by a later message differs
 * everywhere. */
static inline uint64_t pword(uint64_t seq, uint64_t w)
{
	return (seq + 1) * 0x9E3779B97F4A7C15ull ^ (w * 0xD6E8FEB86659FD93ull);
}

static inline uint8_t pbyte(uint64_t seq, size_t p)
{
	return (uint8_t)(pword(seq, p / 8) >> (8 * (p % 8)));
}

void pattern_fill(void *dst, size_t off, size_t len, uint64_t seq)
{
	uint8_t *d = dst;
	size_t p = off, end = off + len;
	for (; p < end && p % 8; p++)
		*d++ = pbyte(seq, p);
	for (; p + 8 <= end; p += 8, d += 8) {
		uint64_t w = pword(seq, p / 8);
		memcpy(d, &w, 8); /* little-endian byte order = pbyte's order */
	}
	for (; p < end; p++)
		*d++ = pbyte(seq, p);
}

size_t pattern_verify(const void *buf, size_t off, size_t len, uint64_t seq)
{
	const uint8_t *s = buf;
	size_t p = off, end = off + len, bad = 0;
	for (; p < end && p % 8; p++)
		bad += *s++ != pbyte(seq, p);
	for (; p + 8 <= end; p += 8, s += 8) {
		uint64_t w, x = pword(seq, p / 8);
		memcpy(&w, s, 8);
		if (w != x)
			for (int k = 0; k < 8; k++)
				bad += (uint8_t)(w >> 8 * k) != (uint8_t)(x >> 8 * k);
	}
	for (; p < end; p++)
		bad += *s++ != pbyte(seq, p);
	return bad;
}

int msg_fields_in_memfd(struct ct_msg *m, const char *name, size_t len, int *fd, char **map,
			const char **what)
{
	*fd = memfd_create(name, MFD_CLOEXEC);
	if (*fd < 0) {
		*what = "memfd_create";
		return -1;
	}
	if (ftruncate(*fd, (off_t)len)) {
		*what = "sizing the memfd";
		return -1;
	}
	if (len) {
		*map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
		if (*map == MAP_FAILED) {
			*map = NULL;
			*what = "mapping the memfd";
			return -1;
		}
	}
	m->iov[0] = (struct iovec){ m->hdr, CT_HDR_SIZE };
	size_t off = 0;
	for (int i = 0; i < CT_FIELDS; i++) {
		m->field[i] = *map + off;
		m->iov[i + 1] = (struct iovec){ m->field[i], m->flen[i] };
		off += m->flen[i];
	}
	return 0;
}
