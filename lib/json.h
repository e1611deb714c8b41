/*
 * json.h - JSON documents (jansson trees) to and from files, with numbers
 * printed as contracts.md prints them: the shortest text that reads back
 * to the same double.  The caller owns every json_t it passes or gets.
 */
#ifndef SP_JSON_H
#define SP_JSON_H

#include <jansson.h>
#include <stddef.h>

/*
 * V as text, indented by two spaces per level (arrays of scalars on one
 * line), with a final newline; malloc'd, or NULL after "out of memory".
 * Non-finite reals print as null, integral reals with ".0".  Object keys
 * keep their insertion order.
 */
char *sp_json_format(const json_t *v, size_t *len);

/* V on one line with no final newline, for NDJSON logs; malloc'd or NULL. */
char *sp_json_format_line(const json_t *v);

/* Write V to PATH atomically (".zst" compresses; NULL or "-" is stdout).  0 or -1. */
int sp_json_save(const json_t *v, const char *path);

/* Read a JSON document from PATH (zstd or not).  NULL after "FILE:LINE: ...". */
json_t *sp_json_load(const char *path);

/* A real or integer member as a double; NAN if absent or not a number. */
double sp_json_num(const json_t *obj, const char *key);

/* A double as a json_t: an integer when it is one (below 2^53), null when not finite. */
json_t *sp_json_real(double v);

#endif
