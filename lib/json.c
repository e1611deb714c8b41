/*
 * json.c - jansson trees to text with shortest numbers, and file I/O.
 *
 * jansson prints reals with "%.17g" (0.8 comes out 0.80000000000000004);
 * model files are read by people and by jq, so numbers go through
 * sp_num_format() here.  Parsing stays jansson's.
 */
#include "json.h"

#include "input.h"
#include "num.h"
#include "output.h"
#include "usage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

struct buf {
	char *s;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->s, cap))) {
			b->oom = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void indent(struct buf *b, int depth)
{
	static const char spaces[] = "                                ";

	put(b, "\n", 1);
	for (int i = 0; i < depth; i++)
		put(b, spaces, 2);
}

static void string(struct buf *b, const char *s, size_t n)
{
	json_t *t = json_stringn(s, n);
	char *text = t ? json_dumps(t, JSON_ENCODE_ANY) : NULL;

	if (!text)
		b->oom = 1;
	else
		puts_(b, text);
	free(text);
	json_decref(t);
}

static int scalar(const json_t *v)
{
	return !json_is_object(v) && !json_is_array(v);
}

static void emit(struct buf *b, const json_t *v, int depth, int pretty)
{
	char num[SP_NUM_MAX];

	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *m;
		int first = 1;
		if (!json_object_size(v)) {
			puts_(b, "{}");
			break;
		}
		put(b, "{", 1);
		json_object_foreach((json_t *)v, key, m) {
			if (!first)
				put(b, pretty ? "," : ", ", pretty ? 1 : 2);
			first = 0;
			if (pretty)
				indent(b, depth + 1);
			string(b, key, strlen(key));
			put(b, ": ", 2);
			emit(b, m, depth + 1, pretty);
		}
		if (pretty)
			indent(b, depth);
		put(b, "}", 1);
		break;
	}
	case JSON_ARRAY: {
		size_t i, n = json_array_size(v);
		int flat = 1;
		for (i = 0; i < n; i++)
			flat &= scalar(json_array_get(v, i));
		put(b, "[", 1);
		for (i = 0; i < n; i++) {
			if (i)
				put(b, pretty && !flat ? "," : ", ", pretty && !flat ? 1 : 2);
			if (pretty && !flat)
				indent(b, depth + 1);
			emit(b, json_array_get(v, i), depth + 1, pretty);
		}
		if (pretty && !flat && n)
			indent(b, depth);
		put(b, "]", 1);
		break;
	}
	case JSON_STRING:
		string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		puts_(b, num);
		break;
	case JSON_REAL:
		/* A real stays a real when read back ("6779.0", not "6779"):
		 * XGBoost's model reader tells the two apart. */
		if (sp_num_format(json_real_value(v), num)) {
			puts_(b, num);
			if (!strpbrk(num, ".e"))
				puts_(b, ".0");
		} else {
			puts_(b, "null");
		}
		break;
	case JSON_TRUE:
		puts_(b, "true");
		break;
	case JSON_FALSE:
		puts_(b, "false");
		break;
	case JSON_NULL:
		puts_(b, "null");
		break;
	}
}

char *sp_json_format(const json_t *v, size_t *len)
{
	struct buf b = { 0 };

	emit(&b, v, 0, 1);
	put(&b, "\n", 1);
	if (b.oom) {
		free(b.s);
		sp_error("out of memory");
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.s;
}

char *sp_json_format_line(const json_t *v)
{
	struct buf b = { 0 };

	emit(&b, v, 0, 0);
	if (b.oom) {
		free(b.s);
		sp_error("out of memory");
		return NULL;
	}
	return b.s;
}

int sp_json_save(const json_t *v, const char *path)
{
	size_t len;
	char *text = sp_json_format(v, &len);
	struct sp_output *out;

	if (!text)
		return -1;
	if (!(out = sp_output_open(path, 0))) {
		free(text);
		return -1;
	}
	if (sp_output_write(out, text, len) < 0) {
		free(text);
		sp_output_abort(out);
		return -1;
	}
	free(text);
	return sp_output_close(out);
}

json_t *sp_json_load(const char *path)
{
	struct sp_input *in = sp_input_open(path);
	char *s = NULL, *p;
	size_t len = 0, cap = 0;
	ssize_t got;
	json_error_t err;
	json_t *v = NULL;

	if (!in)
		return NULL;
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			if (!(p = realloc(s, cap))) {
				sp_error("out of memory");
				goto out;
			}
			s = p;
		}
		if ((got = sp_input_read(in, s + len, cap - len)) < 0)
			goto out;
		if (!got)
			break;
		len += (size_t)got;
	}
	if (!(v = json_loadb(s ? s : "", len, JSON_REJECT_DUPLICATES, &err)))
		sp_error_at(sp_input_name(in), err.line, "%s", err.text);
out:
	free(s);
	sp_input_close(in);
	return v;
}

double sp_json_num(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

json_t *sp_json_real(double v)
{
	if (!isfinite(v))
		return json_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_integer((json_int_t)v);
	return json_real(v);
}
