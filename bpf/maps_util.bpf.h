/* SPDX-License-Identifier: GPL-2.0-only */
/* Map helpers shared by the tracer and the profiler; no map of either. */
#ifndef CT_MAPS_UTIL_BPF_H
#define CT_MAPS_UTIL_BPF_H
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* The element of key, inserted as *init if absent; NULL when the map is
 * full. Insert-if-absent is atomic: when another CPU inserts the key
 * first, both get its element. */
static __always_inline void *map_lookup_or_try_init(void *map, const void *key, const void *init)
{
	void *v = bpf_map_lookup_elem(map, key);
	if (v)
		return v;
	bpf_map_update_elem(map, key, init, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

#endif
