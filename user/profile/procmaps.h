/* SPDX-License-Identifier: GPL-2.0-only */
/* The executable mappings of the traced processes over a trace, for the
 * profiler's user symbols: per process a list of images (one per exec,
 * the newest last), each a sorted list of file mappings. Filled from
 * /proc/PID/maps for processes alive at attach time and from the perf
 * side-band records (sideband.c) for what happens after; read at the end,
 * when many of the processes are gone. Bounded: past the caps below,
 * entries are dropped and counted (pm_stats), never silently. Not thread
 * safe: the side-band reader holds its lock around every call. */
#ifndef CT_PROCMAPS_H
#define CT_PROCMAPS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PM_MAX_PROCS 16384 /* the tasks map holds 8192 */
#define PM_MAX_IMAGES 8 /* execs kept per process (the oldest go) */
#define PM_MAX_MAPS 4096 /* executable file mappings per image */
#define PM_MAX_FILES 65536 /* distinct files (path + identity) */
#define PM_BUILD_ID 20
#define PM_MAX_PINNED 1024 /* files held open (O_PATH) from their first mmap */

struct procmaps;

/* A mapped file as the kernel saw it at mmap time: the identity lets a
 * reader check that the file at path is still that one. */
struct pm_file {
	char *path; /* in the mapping process's mount namespace */
	pid_t pid; /* the latest process that mapped it: its
		    * /proc/PID/root is where path resolves */
	int fd; /* O_PATH handle taken when first seen (that
		 * process alive), -1: none (see pm_file_open) */
	uint64_t ino; /* 0: unknown */
	uint8_t bid_len; /* build id length, 0: none recorded */
	unsigned char bid[PM_BUILD_ID];
};

/* Where an address fell: file index (pm_file_at) and offset in it. */
struct pm_hit {
	uint32_t file;
	uint64_t off;
};

struct pm_stats {
	uint64_t procs, images, maps; /* tracked */
	uint64_t procs_dropped, images_dropped, maps_dropped, files_dropped;
};

struct procmaps *pm_new(void);
void pm_free(struct procmaps *pm);

int pm_has(const struct procmaps *pm, pid_t pid);
/* Starts tracking pid (no image yet); 0, or -1 past PM_MAX_PROCS. */
int pm_track(struct procmaps *pm, pid_t pid);
/* A traced parent forked child: the child shares the parent's current
 * image until it execs. Returns 1 when the child is now tracked. */
int pm_fork(struct procmaps *pm, pid_t parent, pid_t child);
/* pid exec'd (comm is its new name): a new, empty image. */
void pm_exec(struct procmaps *pm, pid_t pid, const char *comm);
void pm_comm(struct procmaps *pm, pid_t pid, const char *comm);
/* An executable file mapping of pid's current image; an older mapping it
 * overlaps is replaced (as mmap replaces it). bid may be NULL. */
void pm_mmap(struct procmaps *pm, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
	     const char *path, uint64_t ino, const unsigned char *bid, int bid_len);
/* Reads /proc/PID/maps (executable mappings) and comm into pid's current
 * image, tracking pid. 0, or -1 when the process is gone. */
int pm_seed(struct procmaps *pm, pid_t pid);

/* The mapping holding addr in pid's images, the newest that has one
 * (samples carry no time: a sample from before an exec is matched by its
 * address, which the new image rarely maps). 0, or -1: none. */
int pm_find(const struct procmaps *pm, pid_t pid, uint64_t addr, struct pm_hit *hit);
const struct pm_file *pm_file_at(const struct procmaps *pm, uint32_t file);
/* An O_PATH descriptor (the caller closes it) of the file as its process
 * saw it: the handle taken at its first mmap, else path resolved inside
 * the process's root while it lives, else path in our own namespace when
 * there is an identity (inode or build id) to check it against; -1 when
 * none. O_PATH opens nothing: no FIFO blocks, no device is opened. */
int pm_file_open(const struct pm_file *pf);
size_t pm_nfiles(const struct procmaps *pm);
/* pid's latest name, or NULL when unknown. */
const char *pm_comm_of(const struct procmaps *pm, pid_t pid);
void pm_get_stats(const struct procmaps *pm, struct pm_stats *st);

#endif
