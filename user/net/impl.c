// SPDX-License-Identifier: GPL-2.0-only
/* The implementation table. */
#include "impl.h"

const struct impl_ops *impl_get(enum ct_impl i)
{
	static const struct impl_ops *const t[] = { &impl_a1, &impl_a2, &impl_a3,
						    &impl_a4, &impl_a5, &impl_a6 };
	return t[i];
}
