// SPDX-License-Identifier: GPL-2.0-only
/* The --format names and their writers (writer.h). */
#include "writer.h"

#include <string.h>

const struct report_writer *writer_find(const char *format)
{
	static const struct report_writer *const all[] = { &writer_table, &writer_json,
							   &writer_csv };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(all[i]->format, format))
			return all[i];
	return NULL;
}
