/*
 * banned.h - functions sp code must not call, as git's banned.h: each has a
 * safer spelling in this tree.  Included last by every lib/ and cmd/ file
 * through the compiler's -include flag (see the Makefile).
 */
#ifndef SP_BANNED_H
#define SP_BANNED_H

#define SP_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) SP_BANNED(strcpy)	/* memcpy with a known length */
#undef strcat
#define strcat(x, y) SP_BANNED(strcat)	/* snprintf into a sized buffer */
#undef sprintf
#define sprintf(...) SP_BANNED(sprintf)	/* snprintf */
#undef vsprintf
#define vsprintf(...) SP_BANNED(vsprintf)
#undef gets
#define gets(x) SP_BANNED(gets)
#undef exit
#define exit(x) SP_BANNED(exit)		/* lib/ returns errors; tools return from cmd_main */

#endif
