/*
 * mem.h - the one growable-array helper.  The caller owns *P; sp_grow()
 * only reallocates it.
 */
#ifndef SP_MEM_H
#define SP_MEM_H

#include <stddef.h>

/*
 * Make room for NEED elements of ELEM bytes in *P, whose capacity is *CAP
 * elements, doubling from 16.  Returns 0, or -1 after "out of memory" (then
 * *P and *CAP are unchanged).
 */
int sp_grow_slow(void **p, size_t *cap, size_t need, size_t elem);

/* The common case, room already there, without a call: it is in hot loops. */
static inline int sp_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	return need <= *cap ? 0 : sp_grow_slow(p, cap, need, elem);
}

#endif
