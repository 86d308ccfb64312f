/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scrub-text.c: key material in `ip xfrm state` text (DESIGN.md §5). sos masks keys with
 * "********", but an archive made otherwise (supportconfig, an engineer's `ip xfrm state >
 * file`, an old sos) holds them in the clear: every hex word after the algorithm name of an
 * aead/enc/auth/auth-trunc/comp line, and (fail closed) any 0x word longer than 64 bits
 * anywhere, has its digits overwritten with '0' before any decoder sees the text. The digit
 * count stays, so the key length is still known.
 */
#include <stdbool.h>
#include <string.h>

#include "xfrmd/decode.h"

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static bool is_alg_word(const char *w, size_t n)
{
	static const char *const words[] = { "aead", "enc", "auth", "auth-trunc", "comp" };

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == n && memcmp(words[i], w, n) == 0)
			return true;
	return false;
}

size_t xd_ipxfrm_scrub(void *data, size_t len)
{
	char *buf = data, *end = buf + len, *p = buf;
	size_t spans = 0;

	while (p < end) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		char *q = p, *w;
		bool alg;
		size_t word = 0;

		if (!eol)
			eol = end;
		while (q < eol && is_blank(*q))
			q++;
		w = q;
		while (q < eol && !is_blank(*q))
			q++;
		alg = is_alg_word(w, (size_t)(q - w));
		/* every word of the line; word 0 is the keyword, word 1 the algorithm name */
		for (q = w; q < eol;) {
			char *t = q, *h;
			bool nonzero = false;

			while (q < eol && !is_blank(*q))
				q++;
			if (q - t > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
				for (h = t + 2; h < q && is_hex(*h); h++)
					;
				if ((alg && word >= 2) || h - (t + 2) > 16) {
					for (h = t + 2; h < q && is_hex(*h); h++) {
						nonzero |= *h != '0';
						*h = '0';
					}
					spans += nonzero;
				}
			}
			word++;
			while (q < eol && is_blank(*q))
				q++;
		}
		p = eol + 1;
	}
	return spans;
}
