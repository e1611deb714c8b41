/*
 * fetch-parse-json.c - a strict JSON reader for the response parsers that
 * cannot afford a tree.
 *
 * A chart is mostly six long arrays of numbers.  jansson builds a node for
 * every one of them and reads at 45 to 55 MB/s, too close to the 50 MB/s
 * the issue asks for, so Yahoo responses go through this instead: RFC 8259 as
 * strictly as jansson (bad escapes, lone surrogates, invalid UTF-8, control
 * characters and junk after the value are errors), no allocation, and
 * numbers through sp_num_parse(), exact like everywhere else in sp.
 */
#include "fetch-parse-impl.h"
#include "num.h"

#include <math.h>
#include <string.h>
#include "banned.h"

#define MAX_DEPTH 64		/* a chart nests 6 deep */

int fp_jfail(struct fp_json *j, const char *what)
{
	if (!j->err)
		j->err = j->p >= j->end ? "truncated JSON" : what;
	return -1;
}

static void ws(struct fp_json *j)
{
	while (j->p < j->end &&
	       (*j->p == ' ' || *j->p == '\n' || *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

int fp_jpeek(struct fp_json *j)
{
	ws(j);
	return j->p < j->end ? (unsigned char)*j->p : -1;
}

static int hex4(const char *p)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* A string at j->p: its raw text between the quotes, checked. */
int fp_jstring(struct fp_json *j, struct fp_span *out)
{
	const char *p;

	if (fp_jpeek(j) != '"')
		return fp_jfail(j, "expected a string");
	p = ++j->p;
	out->escaped = 0;
	for (;;) {
		unsigned char c;

		/* The common case: plain ASCII. */
		while (p < j->end && (c = (unsigned char)*p) >= 0x20 && c < 0x80 && c != '"' &&
		       c != '\\')
			p++;
		if (p >= j->end) {
			j->p = p;
			return fp_jfail(j, "truncated JSON");
		}
		c = (unsigned char)*p;
		if (c == '"')
			break;
		if (c < 0x20) {
			j->p = p;
			return fp_jfail(j, "control character in a string");
		}
		if (c == '\\') {
			out->escaped = 1;
			if (j->end - p < 2 || (p[1] == 'u' && j->end - p < 6)) {
				j->p = j->end;
				return fp_jfail(j, "truncated JSON");
			}
			if (p[1] && strchr("\"\\/bfnrt", p[1])) {
				p += 2;
				continue;
			}
			if (p[1] == 'u') {
				int u = hex4(p + 2), lo;
				if (u >= 0xdc00 && u <= 0xdfff)
					u = -1;	/* a low surrogate alone */
				if (u >= 0xd800 && u <= 0xdbff) {
					/* A high surrogate takes a low one. */
					if (j->end - p < 12) {
						j->p = j->end;
						return fp_jfail(j, "truncated JSON");
					}
					lo = p[6] == '\\' && p[7] == 'u' ? hex4(p + 8) : -1;
					u = lo >= 0xdc00 && lo <= 0xdfff ? u : -1;
					p += 6;
				}
				if (u >= 0) {
					p += 6;
					continue;
				}
			}
			j->p = p;
			return fp_jfail(j, "bad escape in a string");
		}
		size_t k = fp_utf8_seq((const unsigned char *)p, (size_t)(j->end - p));
		if (!k) {
			j->p = p;
			return fp_jfail(j, "invalid UTF-8 in a string");
		}
		p += k;
	}
	out->s = j->p;
	out->n = (size_t)(p - j->p);
	j->p = p + 1;
	return 0;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* A number at j->p: its text, checked against the JSON grammar. */
int fp_jnumber(struct fp_json *j, const char **s, size_t *n, int *integer)
{
	const char *p = j->p, *e = j->end;

	*integer = 1;
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0') {
		p++;
	} else if (p < e && *p >= '1' && *p <= '9') {
		while (++p < e && is_digit(*p))
			;
	} else {
		j->p = p;
		return fp_jfail(j, "expected a value");
	}
	if (p < e && *p == '.') {
		*integer = 0;
		if (++p == e || !is_digit(*p)) {
			j->p = p;
			return fp_jfail(j, "bad number");
		}
		while (++p < e && is_digit(*p))
			;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		*integer = 0;
		if (++p < e && (*p == '+' || *p == '-'))
			p++;
		if (p == e || !is_digit(*p)) {
			j->p = p;
			return fp_jfail(j, "bad number");
		}
		while (++p < e && is_digit(*p))
			;
	}
	*s = j->p;
	*n = (size_t)(p - j->p);
	j->p = p;
	return 0;
}

int fp_jliteral(struct fp_json *j, const char *word, size_t n)
{
	if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n)) {
		if ((size_t)(j->end - j->p) < n && !memcmp(j->p, word, (size_t)(j->end - j->p)))
			j->p = j->end;
		return fp_jfail(j, "expected a value");
	}
	j->p += n;
	return 0;
}

/* A number or null (NAN) as a double. */
int fp_jdouble(struct fp_json *j, double *v)
{
	const char *s;
	size_t n;
	int integer;

	if (fp_jpeek(j) == 'n') {
		*v = NAN;
		return fp_jliteral(j, "null", 4);
	}
	if (fp_jnumber(j, &s, &n, &integer) < 0)
		return -1;
	if (sp_num_parse(s, n, v) < 0) {
		j->p = s;
		return fp_jfail(j, "number out of range");
	}
	return 0;
}

/* An integer (as Yahoo writes times and offsets) that fits in 53 bits. */
int fp_jint(struct fp_json *j, int64_t *v)
{
	const char *s;
	size_t n;
	int isint;
	int64_t x = 0;

	if (fp_jnumber(j, &s, &n, &isint) < 0)
		return -1;
	if (!isint || n > 17) {
		j->p = s;
		return fp_jfail(j, "expected an integer");
	}
	for (size_t i = *s == '-'; i < n; i++)
		x = x * 10 + (s[i] - '0');
	*v = *s == '-' ? -x : x;
	return 0;
}

int fp_jopen(struct fp_json *j, char c, const char *what)
{
	if (fp_jpeek(j) != c)
		return fp_jfail(j, what);
	if (++j->depth > MAX_DEPTH)
		return fp_jfail(j, "nested too deep");
	j->p++;
	return 0;
}

int fp_jnext(struct fp_json *j, int *first, char close)
{
	int c = fp_jpeek(j);

	if (c == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	if (!*first) {
		if (c != ',')
			return fp_jfail(j, close == '}' ? "expected ',' or '}'" :
							  "expected ',' or ']'");
		j->p++;
		if (fp_jpeek(j) == close)
			return fp_jfail(j, "trailing comma");
	}
	*first = 0;
	return 1;
}

int fp_jkey(struct fp_json *j, int *first, struct fp_span *key)
{
	int more = fp_jnext(j, first, '}');

	if (more <= 0)
		return more;
	if (fp_jstring(j, key) < 0)
		return -1;
	if (fp_jpeek(j) != ':')
		return fp_jfail(j, "expected ':'");
	j->p++;
	return 1;
}

int fp_jskip(struct fp_json *j)
{
	struct fp_span s;
	int first = 1, more;
	double v;

	switch (fp_jpeek(j)) {
	case '{':
		if (fp_jopen(j, '{', "") < 0)
			return -1;
		while ((more = fp_jkey(j, &first, &s)) == 1)
			if (fp_jskip(j) < 0)
				return -1;
		return more;
	case '[':
		if (fp_jopen(j, '[', "") < 0)
			return -1;
		while ((more = fp_jnext(j, &first, ']')) == 1)
			if (fp_jskip(j) < 0)
				return -1;
		return more;
	case '"':
		return fp_jstring(j, &s);
	case 't':
		return fp_jliteral(j, "true", 4);
	case 'f':
		return fp_jliteral(j, "false", 5);
	case 'n':
		return fp_jliteral(j, "null", 4);
	default:
		return fp_jdouble(j, &v);
	}
}

int fp_jis(const struct fp_span *k, const char *name)
{
	size_t n = strlen(name);

	return !k->escaped && k->n == n && !memcmp(k->s, name, n);
}

int fp_jonce(struct fp_json *j, unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return fp_jfail(j, "duplicate key");
	*seen |= bit;
	return 0;
}

int fp_jnull(struct fp_json *j, int *is_null)
{
	*is_null = fp_jpeek(j) == 'n';
	return *is_null ? fp_jliteral(j, "null", 4) : 0;
}

size_t fp_junescape(const struct fp_span *sp, char *out, size_t cap)
{
	const char *p = sp->s, *e = sp->s + sp->n;
	size_t n = 0;

	while (p < e && n + 5 < cap) {
		unsigned u;

		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		if (p[1] != 'u') {
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			out[n++] = to[strchr(from, p[1]) - from];
			p += 2;
			continue;
		}
		u = (unsigned)hex4(p + 2);
		p += 6;
		if (u >= 0xd800 && u <= 0xdbff) {	/* checked: a low surrogate follows */
			u = 0x10000 + ((u - 0xd800) << 10) + ((unsigned)hex4(p + 2) - 0xdc00);
			p += 6;
		}
		if (u < 0x80) {
			out[n++] = (char)u;
		} else if (u < 0x800) {
			out[n++] = (char)(0xc0 | u >> 6);
			out[n++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			out[n++] = (char)(0xe0 | u >> 12);
			out[n++] = (char)(0x80 | (u >> 6 & 0x3f));
			out[n++] = (char)(0x80 | (u & 0x3f));
		} else {
			out[n++] = (char)(0xf0 | u >> 18);
			out[n++] = (char)(0x80 | (u >> 12 & 0x3f));
			out[n++] = (char)(0x80 | (u >> 6 & 0x3f));
			out[n++] = (char)(0x80 | (u & 0x3f));
		}
	}
	out[n] = '\0';
	return n;
}

