/* SPDX-License-Identifier: GPL-2.0-only */
/* Text from outside (process names, command lines, symbols, paths of
 * traced programs) made safe for every output: valid printable UTF-8 is
 * kept; a control character (C0, DEL, C1) and a byte that is no valid
 * UTF-8 become "\xNN", so that nothing a name holds can end a line, move a
 * terminal's cursor or make a JSON document invalid. Clean text stays as
 * it is: cleaning twice changes nothing.
 * Each format's own quoting (JSON strings, CSV fields, folded frames, XML
 * text) goes on top. */
#ifndef CT_TEXT_H
#define CT_TEXT_H
#include <stdbool.h>
#include <stddef.h>

/* in needs no change. */
bool text_is_clean(const char *in);
/* Writes the clean form of in into out (at most n bytes, NUL included; a
 * sequence that does not fit whole is left out); returns out. */
char *text_clean(char *out, size_t n, const char *in);
/* The room the clean form of in can take, NUL included. */
size_t text_clean_size(const char *in);

#endif
