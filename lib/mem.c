/* mem.c - growable arrays. */
#include "mem.h"
#include "usage.h"

#include <stdint.h>
#include <stdlib.h>
#include "banned.h"

int sp_grow_slow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need) {
		if (n > SIZE_MAX / 2 / elem)
			return sp_error("out of memory");
		n *= 2;
	}
	q = realloc(*p, n * elem);
	if (!q)
		return sp_error("out of memory");
	*p = q;
	*cap = n;
	return 0;
}
