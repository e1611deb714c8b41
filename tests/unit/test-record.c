/*
 * test-record.c - the record reader and writer (record.h) over memory, temp
 * files, pipes and FIFOs, with zstd on both sides.
 *
 * Most reader tests walk a whole input into a plain-text dump (one line per
 * record: line number, raw text, fields) and compare it with a dump written
 * by hand.  Writer tests compare the bytes of the output file with text
 * written by hand.  zstd data is made and checked with libzstd directly.
 */
#include "input.h"
#include "record.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

/* ---- small helpers ------------------------------------------------------ */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_printf(struct sbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char t[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	sb_add(b, t, (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1);
}

static char tmpdir[64];

/* A path in the test's temporary directory (a few rotating buffers). */
static const char *tpath(const char *name)
{
	static char bufs[4][512];
	static int i;
	char *p = bufs[i++ & 3];

	snprintf(p, 512, "%s/%s", tmpdir, name);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	struct sbuf b = { 0 };
	char t[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	sb_add(&b, "", 0);
	while ((n = read(fd, t, sizeof(t))) > 0)
		sb_add(&b, t, (size_t)n);
	close(fd);
	if (len)
		*len = b.len;
	return b.s;
}

static void spew(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	close(fd);
}

/* Entries of the temporary directory, sorted, space separated. */
static char *dir_list(void)
{
	struct dirent **ents;
	struct sbuf b = { 0 };
	int n = scandir(tmpdir, &ents, NULL, alphasort);

	sb_add(&b, "", 0);
	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			if (b.len)
				sb_add(&b, " ", 1);
			sb_add(&b, ents[i]->d_name, strlen(ents[i]->d_name));
		}
		free(ents[i]);
	}
	free(ents);
	return b.s;
}

static void dir_clear(void)
{
	struct dirent **ents;
	int n = scandir(tmpdir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.')
			unlink(tpath(ents[i]->d_name));
		free(ents[i]);
	}
	free(ents);
}

/* stderr into a temporary file, to check messages (or their absence). */
static int saved_stderr = -1;
static FILE *captured;

static void capture_begin(void)
{
	fflush(stderr);
	captured = tmpfile();
	saved_stderr = dup(2);
	dup2(fileno(captured), 2);
}

static char *capture_end(void)
{
	struct sbuf b = { 0 };
	char t[4096];
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	sb_add(&b, "", 0);
	rewind(captured);
	while ((n = fread(t, 1, sizeof(t), captured)) > 0)
		sb_add(&b, t, n);
	fclose(captured);
	return b.s;
}

/* ---- reader dumps --------------------------------------------------------- */

/*
 * One line per record: "LINE [RAW] F1|F2|..." for a good record, "LINE
 * bad(WHY) [RAW]" for a bad one; then "end N cols C1 C2? ..." ('?' for a
 * column not present).  Fields: CSV text as is, "~" missing, "s:" JSON
 * string, "n:" JSON number, "o:" other.  "invalid JSON: ..." is cut at ':'.
 */
static char *dump_reader(struct sp_reader *r)
{
	struct sbuf b = { 0 };
	int got;

	sb_add(&b, "", 0);
	while ((got = sp_reader_next(r)) == 1) {
		size_t rl;
		const char *raw = sp_reader_raw(r, &rl);
		const char *bad = sp_reader_bad(r);

		sb_printf(&b, "%ld ", sp_reader_line(r));
		if (bad) {
			const char *colon = strchr(bad, ':');
			int n = !strncmp(bad, "invalid JSON:", 13) ? (int)(colon - bad)
								    : (int)strlen(bad);
			sb_printf(&b, "bad(%.*s) ", n, bad);
		}
		sb_add(&b, "[", 1);
		sb_add(&b, raw, rl);
		sb_add(&b, "]", 1);
		for (size_t i = 0; !bad && i < sp_reader_ncols(r); i++) {
			struct sp_field f = sp_reader_field(r, i);
			static const char *const pfx[] = { "~", "", "s:", "n:", "o:" };
			sb_add(&b, i ? "|" : " ", 1);
			sb_add(&b, pfx[f.type], strlen(pfx[f.type]));
			sb_add(&b, f.s, f.len);
		}
		sb_add(&b, "\n", 1);
	}
	sb_printf(&b, "end %d cols", got);
	for (size_t i = 0; i < sp_reader_ncols(r); i++)
		sb_printf(&b, " %s%s", sp_reader_colname(r, i),
			  sp_reader_present(r, i) ? "" : "?");
	return b.s;
}

static char *dump_mem(const void *buf, size_t len)
{
	struct sp_reader *r = sp_reader_open_mem(buf, len, "mem");
	char *d;

	if (!r)
		return strdup("(open failed)");
	d = dump_reader(r);
	sp_reader_close(r);
	return d;
}

#define is_dump(input, want, name)                                                \
	do {                                                                      \
		char *d_ = dump_mem(input, sizeof(input) - 1);                    \
		is_str(d_, want, name);                                           \
		free(d_);                                                         \
	} while (0)

/* ---- reader: CSV ------------------------------------------------------------ */

static void test_csv_basic(void)
{
	static const char in[] = "symbol,date,close\nAAPL,2020-01-02,75.0875\nMSFT,2020-01-02,\n";
	struct sp_reader *r = sp_reader_open_mem(in, sizeof(in) - 1, "bars.csv");
	struct sp_field f;
	size_t len;

	ok(r != NULL, "open a CSV buffer");
	is_int(sp_reader_format(r), SP_FORMAT_CSV, "detected as CSV");
	is_str(sp_reader_name(r), "bars.csv", "name is the one given");
	is_int(sp_reader_ncols(r), 3, "3 columns from the header");
	is_str(sp_reader_colname(r, 0), "symbol", "column 0");
	is_str(sp_reader_colname(r, 2), "close", "column 2");
	ok(sp_reader_colname(r, 3) == NULL, "no column 3");
	is_int(sp_reader_find(r, "date"), 1, "find date");
	is_int(sp_reader_find(r, "Date"), -1, "find is exact");
	ok(sp_reader_present(r, 0) && sp_reader_present(r, 2), "header columns are present");

	is_int(sp_reader_next(r), 1, "first record");
	is_int(sp_reader_line(r), 2, "on line 2");
	ok(sp_reader_bad(r) == NULL, "is good");
	f = sp_reader_field(r, 0);
	is_str(f.s, "AAPL", "symbol field");
	is_int(f.len, 4, "its length");
	is_int(f.type, SP_FIELD_TEXT, "CSV fields are TEXT");
	f = sp_reader_field(r, 2);
	is_str(f.s, "75.0875", "close field");
	f = sp_reader_field(r, 3);
	ok(f.type == SP_FIELD_MISSING && f.len == 0 && !strcmp(f.s, ""),
	   "an unknown column is a missing field");
	f = sp_reader_field(r, (size_t)-1);
	ok(f.type == SP_FIELD_MISSING, "so is column SIZE_MAX");
	const char *raw = sp_reader_raw(r, &len);
	ok(len == strlen("AAPL,2020-01-02,75.0875") &&
	   !memcmp(raw, "AAPL,2020-01-02,75.0875", len), "raw text, no line end");

	is_int(sp_reader_next(r), 1, "second record");
	f = sp_reader_field(r, 2);
	ok(f.type == SP_FIELD_MISSING && f.len == 0 && !strcmp(f.s, ""),
	   "an empty field is missing");
	is_int(sp_reader_next(r), 0, "then the end");
	is_int(sp_reader_next(r), 0, "and the end again");
	sp_reader_close(r);

	is_dump("a,b,c\n,,\n\"\",x,\"\"\n1,2,3\n",
		"2 [,,] ~|~|~\n"
		"3 [\"\",x,\"\"] ~|x|~\n"
		"4 [1,2,3] 1|2|3\n"
		"end 0 cols a b c",
		"empty fields, quoted or not, are missing");
}

static void test_csv_quoting(void)
{
	is_dump("a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",z\nq,r\n",
		"2 [\"x,y\",\"he said \"\"hi\"\"\"] x,y|he said \"hi\"\n"
		"3 [\"multi\nline\",z] multi\nline|z\n"
		"5 [q,r] q|r\n"
		"end 0 cols a b",
		"quoted commas, doubled quotes, a field over two lines");
	is_dump("a,b\n\"1\n2\n\n3\",x\ny,z\n",
		"2 [\"1\n2\n\n3\",x] 1\n2\n\n3|x\n"
		"6 [y,z] y|z\n"
		"end 0 cols a b",
		"a field over four lines, one of them empty");
	is_dump("a,b\n\" lead\",\"trail \"\n\"\",\"\"\"\"\n",
		"2 [\" lead\",\"trail \"]  lead|trail \n"
		"3 [\"\",\"\"\"\"] ~|\"\n"
		"end 0 cols a b",
		"quoted spaces are kept; \"\"\"\" is one quote");
	is_dump("\"col,1\",\"col \"\"2\"\"\"\n1,2\n",
		"2 [1,2] 1|2\n"
		"end 0 cols col,1 col \"2\"",
		"quoted header names");
}

static void test_csv_line_ends(void)
{
	is_dump("a,b\r\n1,2\r\n\"x\r\ny\",3\r\n4,5\r\n",
		"2 [1,2] 1|2\n"
		"3 [\"x\r\ny\",3] x\r\ny|3\n"
		"5 [4,5] 4|5\n"
		"end 0 cols a b",
		"CRLF: no CR in fields or raw ends; kept inside quotes and raw");
	is_dump("\xef\xbb\xbf" "a,b\n1,2\n",
		"2 [1,2] 1|2\n"
		"end 0 cols a b",
		"a UTF-8 BOM is not part of the first column name");
	is_dump("\xef\xbb\xbf" "a,b\r\n1,2",
		"2 [1,2] 1|2\n"
		"end 0 cols a b",
		"BOM, CRLF and no line end at the end");
	is_dump("a,b\n1,2",
		"2 [1,2] 1|2\n"
		"end 0 cols a b",
		"last line without a newline");
	is_dump("a,b\n1,2\r",
		"2 [1,2] 1|2\n"
		"end 0 cols a b",
		"last line ending in a bare CR");
	is_dump("a,b\n1,\"x\ny\"",
		"2 [1,\"x\ny\"] 1|x\ny\n"
		"end 0 cols a b",
		"quoted field over lines at the end, without a newline");
	is_dump("a,b\n\n1,2\n\n\n3,4\n\n",
		"3 [1,2] 1|2\n"
		"6 [3,4] 3|4\n"
		"end 0 cols a b",
		"blank lines are skipped, line numbers still count them");
	is_dump("", "end 0 cols", "empty input: no columns, no records");
	is_dump("\xef\xbb\xbf", "end 0 cols", "a BOM alone: no columns, no records");
	is_dump("\n\n", "end 0 cols", "blank lines only: no columns, no records");
	is_dump("a,b\n", "end 0 cols a b", "header only");
	is_dump("a,b", "end 0 cols a b", "header only, no newline");

	struct sp_reader *r = sp_reader_open_mem("", 0, "empty");
	ok(r && sp_reader_ncols(r) == 0 && sp_reader_next(r) == 0,
	   "empty input opens with 0 columns and ends at once");
	sp_reader_close(r);
	r = sp_reader_open_mem(NULL, 0, NULL);
	ok(r && sp_reader_next(r) == 0, "a NULL buffer of length 0 is empty input");
	sp_reader_close(r);
}

static void test_csv_bad(void)
{
	is_dump("a,b\n1,2,3\n1\n5,6\n",
		"2 bad(expected 2 fields, found 3) [1,2,3]\n"
		"3 bad(expected 2 fields, found 1) [1]\n"
		"4 [5,6] 5|6\n"
		"end 0 cols a b",
		"wrong field counts");
	is_dump("a,b,c\na,b\"c,d\n1,2,3\n",
		"2 bad(malformed quoting) [a,b\"c,d]\n"
		"3 [1,2,3] 1|2|3\n"
		"end 0 cols a b c",
		"a quote inside an unquoted field");
	is_dump("a,b\n1,\"2\"x\n3,4\n",
		"2 bad(malformed quoting) [1,\"2\"x]\n"
		"3 [3,4] 3|4\n"
		"end 0 cols a b",
		"text after a closing quote");

	/* Recovery: a stray quote costs its own line only. */
	is_dump("a,b\n1,2\n\"x,3\n4,5\n6,7\n",
		"2 [1,2] 1|2\n"
		"3 bad(unterminated quoted field) [\"x,3]\n"
		"4 [4,5] 4|5\n"
		"5 [6,7] 6|7\n"
		"end 0 cols a b",
		"unterminated quote: later lines come back, with their numbers");
	is_dump("a,b\n1,\"x\n2,3\n4,\"y\"\n5,6\n",
		"2 bad(malformed quoting) [1,\"x]\n"
		"3 [2,3] 2|3\n"
		"4 [4,\"y\"] 4|y\n"
		"5 [5,6] 5|6\n"
		"end 0 cols a b",
		"stray quote closed by a later field's quote");
	is_dump("a,b\n\"x,1\n2,3\n4\",5,6\n7,8\n",
		"2 bad(unterminated quoted field) [\"x,1]\n"
		"3 [2,3] 2|3\n"
		"4 bad(malformed quoting) [4\",5,6]\n"
		"5 [7,8] 7|8\n"
		"end 0 cols a b",
		"stray quote closed into a record of the wrong shape");
	is_dump("a,b\n\"x,1\n2,\"y\n3,4\n5,6\n",
		"2 bad(malformed quoting) [\"x,1]\n"
		"3 bad(unterminated quoted field) [2,\"y]\n"
		"4 [3,4] 3|4\n"
		"5 [5,6] 5|6\n"
		"end 0 cols a b",
		"a second stray quote among the lines parsed again");
	is_dump("a,b\r\n1,\"x\r\n2,3\r\n4,5\r\n",
		"2 bad(unterminated quoted field) [1,\"x]\n"
		"3 [2,3] 2|3\n"
		"4 [4,5] 4|5\n"
		"end 0 cols a b",
		"recovery with CRLF line ends");
	is_dump("a,b\n1,2\n\"x,3\n4,5",
		"2 [1,2] 1|2\n"
		"3 bad(unterminated quoted field) [\"x,3]\n"
		"4 [4,5] 4|5\n"
		"end 0 cols a b",
		"recovery when the last line has no newline");

	/* UTF-8 */
	is_dump("a,b\n\xff,1\n\xc3\xa9,2\n\xed\xa0\x80,3\n\xc0\xaf,4\n\xf4\x90\x80\x80,5\n"
		"\xf0\x9f\x98\x80,6\nx\xc3,7\n\xe2\x82,8\n",
		"2 bad(invalid UTF-8) [\xff,1]\n"
		"3 [\xc3\xa9,2] \xc3\xa9|2\n"
		"4 bad(invalid UTF-8) [\xed\xa0\x80,3]\n"
		"5 bad(invalid UTF-8) [\xc0\xaf,4]\n"
		"6 bad(invalid UTF-8) [\xf4\x90\x80\x80,5]\n"
		"7 [\xf0\x9f\x98\x80,6] \xf0\x9f\x98\x80|6\n"
		"8 bad(invalid UTF-8) [x\xc3,7]\n"
		"9 bad(invalid UTF-8) [\xe2\x82,8]\n"
		"end 0 cols a b",
		"invalid UTF-8: stray byte, surrogate, overlong, > U+10FFFF, cut short");
	is_dump("a,b\n\"x\n\xff\",1\n2,3\n",
		"2 bad(invalid UTF-8) [\"x\n\xff\",1]\n"
		"4 [2,3] 2|3\n"
		"end 0 cols a b",
		"invalid UTF-8 on the second line of a record");

	/* a bad record's fields are all missing */
	static const char in[] = "a,b\n1,2,3\n";
	struct sp_reader *r = sp_reader_open_mem(in, sizeof(in) - 1, "mem");
	sp_reader_next(r);
	struct sp_field f = sp_reader_field(r, 0);
	ok(sp_reader_bad(r) && f.type == SP_FIELD_MISSING && !strcmp(f.s, ""),
	   "fields of a bad record read as missing");
	sp_reader_close(r);

	/* a broken header is an error */
	static const char hdr[] = "a,b\"c\n1,2\n";
	capture_begin();
	r = sp_reader_open_mem(hdr, sizeof(hdr) - 1, "hdr.csv");
	char *msg = capture_end();
	ok(r == NULL, "a header with malformed quoting fails to open");
	ok(strstr(msg, "hdr.csv:1: bad header: malformed quoting") != NULL,
	   "with a message naming file and line");
	if (r == NULL && !strstr(msg, "hdr.csv:1:"))
		printf("#   message: %s", msg);
	free(msg);
	sp_reader_close(r);
}

/*
 * A stray quote in a big file with no other quote: the reader gives up on
 * the quoted field after QUOTED_SPAN_MAX (1 MB) and parses everything after
 * the stray line again.
 */
static void test_csv_big_recovery(void)
{
	struct sbuf b = { 0 };
	const long n = 60000, stray = 100;
	long good = 0, wrong = 0, bad_line = -1;
	struct sp_reader *r;

	sb_add(&b, "symbol,date,close\n", 18);
	for (long i = 1; i <= n; i++) {
		if (i == stray)
			sb_printf(&b, "\"BAD,2020-01-02,%ld\n", i);
		else
			sb_printf(&b, "S%ld,2020-01-02,%ld.5\n", i, i);
	}
	r = sp_reader_open_mem(b.s, b.len, "big");
	while (sp_reader_next(r) == 1) {
		long line = sp_reader_line(r), i = line - 1;
		char want[64];
		if (sp_reader_bad(r)) {
			bad_line = line;
			continue;
		}
		snprintf(want, sizeof(want), "S%ld|%ld.5", i, i);
		struct sp_field s = sp_reader_field(r, 0), c = sp_reader_field(r, 2);
		char got[64];
		snprintf(got, sizeof(got), "%s|%s", s.s, c.s);
		if (strcmp(got, want) && wrong++ < 3)
			printf("# line %ld: got %s, want %s\n", line, got, want);
		good++;
	}
	sp_reader_close(r);
	is_int(bad_line, stray + 1, "only the line with the stray quote is bad");
	is_int(good, n - 1, "every other line of a 1.3 MB file comes back");
	is_int(wrong, 0, "each with its own line number and fields");
	free(b.s);
}

/* ---- reader: NDJSON -------------------------------------------------------- */

static void test_ndjson(void)
{
	is_dump("  \n\n {\"a\":1,\"b\":\"x\"}\n",
		"3 [ {\"a\":1,\"b\":\"x\"}] n:1|s:x\n"
		"end 0 cols a b",
		"NDJSON after blank lines and leading spaces");
	is_dump("\t\r\n{\"a\":1}\r\n",
		"2 [{\"a\":1}] n:1\n"
		"end 0 cols a",
		"NDJSON after a tab and CRLF; no CR in raw");
	is_dump("\xef\xbb\xbf{\"a\":2}\n",
		"1 [{\"a\":2}] n:2\n"
		"end 0 cols a",
		"NDJSON after a BOM");
	is_dump("x{a:1}\n", "end 0 cols x{a:1}", "a '{' later on the line is CSV");

	is_dump("{\"s\":\"AAPL\",\"n\":1.5,\"z\":null,\"t\":true,\"f\":false,"
		"\"o\":{\"k\":1},\"a\":[1,2],\"e\":\"\",\"i\":100}\n",
		"1 [{\"s\":\"AAPL\",\"n\":1.5,\"z\":null,\"t\":true,\"f\":false,"
		"\"o\":{\"k\":1},\"a\":[1,2],\"e\":\"\",\"i\":100}] "
		"s:AAPL|n:1.5|~|o:true|o:false|o:{\"k\":1}|o:[1,2]|~|n:100\n"
		"end 0 cols s n z t f o a e i",
		"JSON types: string, number, null, bools, object, array, \"\"");
	is_dump("{\"a\":1.50,\"b\":1e2,\"c\":-0,\"d\":1e21,\"e\":1.5e-7,\"f\":0.1}\n",
		"1 [{\"a\":1.50,\"b\":1e2,\"c\":-0,\"d\":1e21,\"e\":1.5e-7,\"f\":0.1}] "
		"n:1.5|n:100|n:0|n:1e+21|n:1.5e-7|n:0.1\n"
		"end 0 cols a b c d e f",
		"JSON numbers carry their shortest text");
	is_dump("{\"s\":\"a\\\"b\\\\c\\u00e9\\n\\t\"}\n",
		"1 [{\"s\":\"a\\\"b\\\\c\\u00e9\\n\\t\"}] s:a\"b\\c\xc3\xa9\n\t\n"
		"end 0 cols s",
		"JSON string escapes are decoded");
	is_dump("{\"a\":1}\n{\"b\":2,\"a\":3}\n\n{\"c\":\"x\"}\n{}\n",
		"1 [{\"a\":1}] n:1\n"
		"2 [{\"b\":2,\"a\":3}] n:3|n:2\n"
		"4 [{\"c\":\"x\"}] ~|~|s:x\n"
		"5 [{}] ~|~|~\n"
		"end 0 cols a b c",
		"new keys add columns; absent keys are missing");
	is_dump("{\"a\":1}\nnot json\n[1,2]\n\"str\"\n{\"a\":1,\"a\":2}\n{\"a\":\"\xff\"}\n"
		"{\"a\":1} x\n{\"a\":\"x\\u0000y\"}\n{\"a\":1e999}\n{\"a\":2}\n",
		"1 [{\"a\":1}] n:1\n"
		"2 bad(invalid JSON) [not json]\n"
		"3 bad(not a JSON object) [[1,2]]\n"
		"4 bad(invalid JSON) [\"str\"]\n"
		"5 bad(invalid JSON) [{\"a\":1,\"a\":2}]\n"
		"6 bad(invalid JSON) [{\"a\":\"\xff\"}]\n"
		"7 bad(invalid JSON) [{\"a\":1} x]\n"
		"8 bad(invalid JSON) [{\"a\":\"x\\u0000y\"}]\n"
		"9 bad(invalid JSON) [{\"a\":1e999}]\n"
		"10 [{\"a\":2}] n:2\n"
		"end 0 cols a",
		"bad NDJSON lines: syntax, array, string, duplicate key, UTF-8, junk, "
		"NUL, overflow");

	static const char in[] = "{\"a\":1}\n{oops\n";
	struct sp_reader *r = sp_reader_open_mem(in, sizeof(in) - 1, "mem");
	sp_reader_next(r);
	ok(sp_reader_field(r, 0).num == 1.0, "a JSON number's value is in num");
	sp_reader_next(r);
	const char *why = sp_reader_bad(r);
	ok(why && !strncmp(why, "invalid JSON: ", 14) && strstr(why, "(column "),
	   "invalid JSON says what and where: %s", why ? why : "(null)");
	ok(sp_reader_field(r, 0).type == SP_FIELD_MISSING, "a bad line's fields are missing");
	sp_reader_close(r);
}

/* A reader of a run of lines from the middle of a file (--threads). */
static void test_open_part(void)
{
	static const char whole[] = "a,b\n1,2\n";
	static const char part[] = "3,4\n5,6,7\n8\n\"x,9\n10,11\n\"y\n12\",13\n";
	struct sp_reader *like = sp_reader_open_mem(whole, sizeof(whole) - 1, "f.csv");
	struct sp_reader *r = sp_reader_open_part(like, part, sizeof(part) - 1, 40);
	char *d = r ? dump_reader(r) : strdup("(open failed)");

	is_str(d,
	       "40 [3,4] 3|4\n"
	       "41 bad(expected 2 fields, found 3) [5,6,7]\n"
	       "42 bad(expected 2 fields, found 1) [8]\n"
	       "43 bad(malformed quoting) [\"x,9]\n"
	       "44 [10,11] 10|11\n"
	       "45 [\"y\n12\",13] y\n12|13\n"
	       "end 0 cols a b",
	       "a part has the file's columns, line numbers and checks");
	free(d);
	if (r)
		is_str(sp_reader_name(r), "f.csv", "and its name");
	sp_reader_close(r);
	sp_reader_close(like);
}

static void test_want_present(void)
{
	static const char csv[] = "a,b\n1,2\n";
	struct sp_reader *r = sp_reader_open_mem(csv, sizeof(csv) - 1, "mem");

	is_int(sp_reader_want(r, "b"), 1, "CSV: want an existing column gives its index");
	is_int(sp_reader_want(r, "zz"), 2, "CSV: want a new column appends it");
	is_int(sp_reader_ncols(r), 3, "CSV: now 3 columns");
	ok(sp_reader_present(r, 1), "CSV: b is present");
	ok(!sp_reader_present(r, 2), "CSV: zz is not present");
	ok(!sp_reader_present(r, 3), "CSV: nothing past the end is present");
	is_int(sp_reader_want(r, "zz"), 2, "CSV: wanting zz again gives the same index");
	is_int(sp_reader_find(r, "zz"), 2, "CSV: find sees a wanted column");
	sp_reader_close(r);
	r = sp_reader_open_mem(csv, sizeof(csv) - 1, "mem");
	sp_reader_want(r, "zz");
	char *d = dump_reader(r);
	is_str(d, "2 [1,2] 1|2|~\nend 0 cols a b zz?", "CSV: a wanted column stays missing");
	free(d);
	sp_reader_close(r);

	static const char js[] = "{\"a\":1}\n{\"a\":2,\"w\":5}\n";
	r = sp_reader_open_mem(js, sizeof(js) - 1, "mem");
	is_int(sp_reader_find(r, "w"), -1, "NDJSON: find before any record is -1");
	is_int(sp_reader_want(r, "w"), 0, "NDJSON: want before any record creates column 0");
	ok(!sp_reader_present(r, 0), "NDJSON: not present before a record shows it");
	sp_reader_next(r);
	is_int(sp_reader_find(r, "a"), 1, "NDJSON: a is column 1");
	ok(sp_reader_field(r, 0).type == SP_FIELD_MISSING, "NDJSON: w missing in line 1");
	ok(!sp_reader_present(r, 0), "NDJSON: w still not present");
	ok(sp_reader_present(r, 1), "NDJSON: a present");
	sp_reader_next(r);
	ok(sp_reader_present(r, 0), "NDJSON: w present once shown");
	is_str(sp_reader_field(r, 0).s, "5", "NDJSON: w fills in");
	is_int(sp_reader_ncols(r), 2, "NDJSON: no duplicate column for w");
	sp_reader_close(r);
}

/* ---- reader: files, zstd, pipes ----------------------------------------- */

static char *zcompress(const void *src, size_t n, size_t *zn)
{
	size_t cap = ZSTD_compressBound(n);
	char *z = malloc(cap);

	*zn = ZSTD_compress(z, cap, src, n, 3);
	if (ZSTD_isError(*zn))
		abort();
	return z;
}

/* Bars text of N rows. */
static char *make_bars(long n, size_t *len)
{
	struct sbuf b = { 0 };

	sb_add(&b, "symbol,date,open,high,low,close,adj_close,volume\n", 49);
	for (long i = 0; i < n; i++)
		sb_printf(&b, "SYM%ld,2020-%02ld-%02ld,%ld.25,%ld.5,%ld,%ld.125,,%ld\n",
			  i % 7, 1 + i % 12, 1 + i % 28, i, i + 1, i, i, i * 100);
	*len = b.len;
	return b.s;
}

/* Count records of R, checking each against row i of make_bars(). */
static long check_bars(struct sp_reader *r, long *wrong)
{
	long n = 0;
	int got;

	*wrong = 0;
	while ((got = sp_reader_next(r)) == 1) {
		char want[128], have[128];
		snprintf(want, sizeof(want), "SYM%ld|%ld.5|~|%ld", n % 7, n + 1, n * 100);
		struct sp_field s = sp_reader_field(r, 0), h = sp_reader_field(r, 3);
		struct sp_field a = sp_reader_field(r, 6), v = sp_reader_field(r, 7);
		snprintf(have, sizeof(have), "%s|%s|%s|%s", s.s, h.s,
			 a.type == SP_FIELD_MISSING ? "~" : a.s, v.s);
		if ((sp_reader_bad(r) || strcmp(have, want) ||
		     sp_reader_line(r) != n + 2) && (*wrong)++ < 3)
			printf("# record %ld line %ld: %s, want %s\n", n, sp_reader_line(r),
			       have, want);
		n++;
	}
	if (got < 0)
		(*wrong)++;
	return n;
}

static void test_zstd_mem(void)
{
	static const char csv[] = "a,b\n1,2\n\"x\ny\",3\n";
	static const char js[] = "\n{\"a\":1}\n{\"b\":\"x\"}\n";
	size_t zn;
	char *z = zcompress(csv, sizeof(csv) - 1, &zn);
	char *d = dump_mem(z, zn);

	is_str(d, "2 [1,2] 1|2\n3 [\"x\ny\",3] x\ny|3\nend 0 cols a b",
	       "zstd CSV from memory reads as the plain text");
	free(d);
	free(z);
	z = zcompress(js, sizeof(js) - 1, &zn);
	d = dump_mem(z, zn);
	is_str(d, "2 [{\"a\":1}] n:1\n3 [{\"b\":\"x\"}] ~|s:x\nend 0 cols a b",
	       "zstd NDJSON is detected after decompression");
	free(d);

	/* two frames back to back */
	char *two = malloc(2 * zn);
	memcpy(two, z, zn);
	memcpy(two + zn, z, zn);
	d = dump_mem(two, 2 * zn);
	is_str(d, "2 [{\"a\":1}] n:1\n3 [{\"b\":\"x\"}] ~|s:x\n5 [{\"a\":1}] n:1|~\n"
		  "6 [{\"b\":\"x\"}] ~|s:x\nend 0 cols a b",
	       "concatenated zstd frames read as one stream");
	free(d);
	free(two);
	free(z);

	size_t n;
	long wrong;
	char *bars = make_bars(30000, &n);
	z = zcompress(bars, n, &zn);
	struct sp_reader *r = sp_reader_open_mem(z, zn, "bars.zst");
	is_int(check_bars(r, &wrong), 30000, "30000 rows from a zstd buffer");
	is_int(wrong, 0, "all of them right");
	sp_reader_close(r);

	/* truncated: the message says so, the reader ends with -1 */
	capture_begin();
	r = sp_reader_open_mem(z, zn / 2, "cut.zst");
	int end = 0;
	if (r) {
		while ((end = sp_reader_next(r)) == 1)
			;
		sp_reader_close(r);
	}
	char *msg = capture_end();
	ok(r == NULL || end == -1, "truncated zstd: open fails or next returns -1");
	ok(strstr(msg, "cut.zst: truncated zstd data") != NULL, "with a message");
	free(msg);

	/* corrupt: a valid magic and garbage after it */
	char junk[64];
	memcpy(junk, "\x28\xb5\x2f\xfd", 4);
	memset(junk + 4, 0xff, sizeof(junk) - 4);
	capture_begin();
	r = sp_reader_open_mem(junk, sizeof(junk), "junk.zst");
	end = 0;
	if (r) {
		while ((end = sp_reader_next(r)) == 1)
			;
		sp_reader_close(r);
	}
	msg = capture_end();
	ok(r == NULL || end == -1, "corrupt zstd: open fails or next returns -1");
	ok(strstr(msg, "junk.zst: corrupt zstd data") != NULL, "with a message");
	free(msg);

	/* corruption in the middle of a frame with a checksum */
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	char *zc = malloc(ZSTD_compressBound(n));
	size_t zcn = ZSTD_compress2(cc, zc, ZSTD_compressBound(n), bars, n);
	ZSTD_freeCCtx(cc);
	zc[zcn / 2] ^= 0x55;
	zc[zcn / 2 + 1] ^= 0x55;
	capture_begin();
	r = sp_reader_open_mem(zc, zcn, "flip.zst");
	end = 0;
	if (r) {
		while ((end = sp_reader_next(r)) == 1)
			;
		sp_reader_close(r);
	}
	msg = capture_end();
	ok(r == NULL || end == -1, "flipped bytes in a checksummed frame: an error");
	ok(strstr(msg, "flip.zst: corrupt zstd data") != NULL, "with a message");
	free(msg);
	free(zc);

	/* only the magic */
	capture_begin();
	r = sp_reader_open_mem("\x28\xb5\x2f\xfd", 4, "magic.zst");
	end = 0;
	if (r) {
		while ((end = sp_reader_next(r)) == 1)
			;
		sp_reader_close(r);
	}
	msg = capture_end();
	ok(r == NULL || end == -1, "the magic alone is truncated zstd");
	free(msg);
	free(z);
	free(bars);

	struct sp_input *in = sp_input_open_mem("\x28\xb5\x2f", 3, "three");
	char t[8];
	ok(in && !sp_input_compressed(in) && sp_input_read(in, t, sizeof(t)) == 3 &&
	   !memcmp(t, "\x28\xb5\x2f", 3), "three bytes of the magic are plain bytes");
	sp_input_close(in);
}

static void on_wait_count(void *arg)
{
	++*(int *)arg;
}

/* A child writes DATA into a pipe in uneven pieces; returns the read end. */
static int pipe_from_child(const char *data, size_t n, pid_t *pid)
{
	int fds[2];

	if (pipe(fds) < 0)
		abort();
	fflush(stdout);
	*pid = fork();
	if (*pid == 0) {
		size_t off = 0, step = 1;
		close(fds[0]);
		while (off < n) {
			size_t k = n - off < step ? n - off : step;
			if (write(fds[1], data + off, k) != (ssize_t)k)
				_exit(1);
			off += k;
			step = step * 3 % 7919 + 1;	/* 1, 4, 13, ... uneven */
			if (off < 64)
				usleep(1000);	/* the first bytes come slowly */
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void test_pipes_and_files(void)
{
	size_t n, zn;
	long wrong;
	char *bars = make_bars(20000, &n);
	char *z = zcompress(bars, n, &zn);
	char path[64];
	pid_t pid;
	int fd, st, waits = 0;
	struct sp_reader *r;

	fd = pipe_from_child(z, zn, &pid);
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	r = sp_reader_open(path);
	ok(r != NULL, "open a pipe of zstd data");
	if (r) {
		sp_reader_on_wait(r, on_wait_count, &waits);
		is_int(check_bars(r, &wrong), 20000, "20000 rows from a zstd pipe");
		is_int(wrong, 0, "all of them right");
		ok(waits > 0, "the on-wait callback ran before reads (%d times)", waits);
		sp_reader_close(r);
	}
	close(fd);
	waitpid(pid, &st, 0);

	fd = pipe_from_child(bars, n, &pid);
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	r = sp_reader_open(path);
	is_int(r ? check_bars(r, &wrong) : -1, 20000, "20000 rows from a plain pipe");
	is_int(wrong, 0, "all of them right");
	sp_reader_close(r);
	close(fd);
	waitpid(pid, &st, 0);

	/* a truncated zstd stream through a pipe */
	fd = pipe_from_child(z, zn - 7, &pid);
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	capture_begin();
	r = sp_reader_open(path);
	int end = 0;
	if (r) {
		while ((end = sp_reader_next(r)) == 1)
			;
		sp_reader_close(r);
	}
	char *msg = capture_end();
	ok(r == NULL || end == -1, "truncated zstd from a pipe: an error");
	ok(strstr(msg, "truncated zstd data") != NULL, "with a message");
	free(msg);
	close(fd);
	waitpid(pid, &st, 0);

	/* detection must wait for a BOM that comes one byte at a time */
	static const char bomjs[] = "\xef\xbb\xbf\n  {\"a\":1}\n";
	fd = pipe_from_child(bomjs, sizeof(bomjs) - 1, &pid);
	snprintf(path, sizeof(path), "/dev/fd/%d", fd);
	r = sp_reader_open(path);
	char *d = r ? dump_reader(r) : strdup("(open failed)");
	is_str(d, "2 [  {\"a\":1}] n:1\nend 0 cols a",
	       "BOM and NDJSON from a pipe, a byte at a time: still NDJSON");
	free(d);
	sp_reader_close(r);
	close(fd);
	waitpid(pid, &st, 0);

	spew(tpath("bars.csv.zst"), z, zn);
	r = sp_reader_open(tpath("bars.csv.zst"));
	is_int(r ? check_bars(r, &wrong) : -1, 20000, "20000 rows from a zstd file");
	is_int(wrong, 0, "all of them right");
	sp_reader_close(r);
	spew(tpath("bars.txt"), z, zn);
	r = sp_reader_open(tpath("bars.txt"));
	is_int(r ? check_bars(r, &wrong) : -1, 20000,
	       "zstd is found by its magic, not the file name");
	sp_reader_close(r);
	dir_clear();

	capture_begin();
	r = sp_reader_open(tpath("no-such-file.csv"));
	msg = capture_end();
	ok(r == NULL, "a missing file fails to open");
	ok(strstr(msg, "no-such-file.csv: No such file or directory") != NULL,
	   "with a message naming it");
	free(msg);
	free(z);
	free(bars);
}

/* ---- writer ------------------------------------------------------------------ */

/* Write records to a file and return its bytes. */
static struct sp_writer *wopen(enum sp_format fmt, const char *const *cols, size_t n)
{
	struct sp_writer *w = sp_writer_open(tpath("w.out"), fmt, 0);

	if (!w)
		abort();
	sp_writer_columns(w, cols, n);
	return w;
}

static char *wclose(struct sp_writer *w)
{
	char *s;

	if (sp_writer_close(w) != 0)
		return strdup("(close failed)");
	s = slurp(tpath("w.out"), NULL);
	unlink(tpath("w.out"));
	return s;
}

static void write_strs(struct sp_writer *w, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sp_writer_str(w, v[i], strlen(v[i]));
	sp_writer_end(w);
}

static void test_writer_csv(void)
{
	static const char *const cols[] = { "plain", "with,comma", "q\"uote", "sp ace" };
	static const char *const v1[] = { "abc", "a,b", "say \"hi\"", "mid dle" };
	static const char *const v2[] = { "line1\nline2", "cr\rx", " lead", "trail " };
	static const char *const v3[] = { "\tx", "x\t", "", "\"" };
	static const char *const v4[] = { "a;b", "it's", "x|y", "\xc3\xa9" };
	struct sp_writer *w = wopen(SP_FORMAT_CSV, cols, 4);

	write_strs(w, v1, 4);
	write_strs(w, v2, 4);
	write_strs(w, v3, 4);
	write_strs(w, v4, 4);
	char *got = wclose(w);
	is_str(got,
	       "plain,\"with,comma\",\"q\"\"uote\",sp ace\n"
	       "abc,\"a,b\",\"say \"\"hi\"\"\",mid dle\n"
	       "\"line1\nline2\",\"cr\rx\",\" lead\",\"trail \"\n"
	       "\"\tx\",\"x\t\",,\"\"\"\"\n"
	       "a;b,it's,x|y,\xc3\xa9\n",
	       "CSV quotes only fields with a comma, quote, CR/LF or end spaces");
	free(got);

	static const char *const nc[] = { "s", "n", "i", "z", "a" };
	w = wopen(SP_FORMAT_CSV, nc, 5);
	sp_writer_str(w, "x", 1);
	sp_writer_num(w, 1.1);
	sp_writer_int(w, -42);
	sp_writer_null(w);
	sp_writer_auto(w, "1.50", 4);
	sp_writer_end(w);
	sp_writer_str(w, "y", 1);
	sp_writer_num(w, 0.1 + 0.2);
	sp_writer_int(w, LLONG_MIN);
	sp_writer_num(w, NAN);
	sp_writer_auto(w, "", 0);
	sp_writer_end(w);
	sp_writer_num(w, INFINITY);
	sp_writer_num(w, -0.0);
	sp_writer_int(w, LLONG_MAX);
	sp_writer_num(w, 1e21);
	sp_writer_auto(w, "a,b", 3);
	sp_writer_end(w);
	sp_writer_str(w, "only", 4);
	sp_writer_end(w);
	sp_writer_str(w, "1", 1);
	sp_writer_str(w, "2", 1);
	sp_writer_str(w, "3", 1);
	sp_writer_str(w, "4", 1);
	sp_writer_str(w, "5", 1);
	sp_writer_str(w, "6", 1);
	sp_writer_str(w, "7", 1);
	sp_writer_end(w);
	got = wclose(w);
	is_str(got,
	       "s,n,i,z,a\n"
	       "x,1.1,-42,,1.50\n"
	       "y,0.30000000000000004,-9223372036854775808,,\n"
	       ",0,9223372036854775807,1e+21,\"a,b\"\n"
	       "only,,,,\n"
	       "1,2,3,4,5\n",
	       "CSV numbers shortest, NaN/inf empty, missing fields filled, extras dropped");
	free(got);

	w = wopen(SP_FORMAT_CSV, NULL, 0);
	sp_writer_end(w);
	got = wclose(w);
	is_str(got, "\n\n", "CSV with no columns: empty header and record");
	free(got);

	/* an empty column name, and one column that may be empty */
	static const char *const empty_name[] = { "", "b" };
	w = sp_writer_open(tpath("w.out"), SP_FORMAT_CSV, 0);
	sp_writer_columns(w, empty_name, 2);	/* the first thing written is "" */
	sp_writer_str(w, "", 0);
	sp_writer_str(w, "x", 1);
	sp_writer_end(w);
	got = wclose(w);
	is_str(got, ",b\n,x\n", "an empty column name");
	free(got);
	static const char *const one[] = { "v" };
	w = wopen(SP_FORMAT_CSV, one, 1);
	sp_writer_null(w);
	sp_writer_end(w);
	sp_writer_str(w, "x", 1);
	sp_writer_end(w);
	sp_writer_num(w, NAN);
	sp_writer_end(w);
	sp_writer_end(w);
	got = wclose(w);
	is_str(got, "v\n\"\"\nx\n\"\"\n\"\"\n",
	       "one column: a missing value is \"\", not a blank line readers skip");
	char *d = dump_mem(got, strlen(got));
	is_str(d, "2 [\"\"] ~\n3 [x] x\n4 [\"\"] ~\n5 [\"\"] ~\nend 0 cols v",
	       "and reads back as four records");
	free(d);
	free(got);
	static const char *const one_empty[] = { "" };
	w = wopen(SP_FORMAT_CSV, one_empty, 1);
	sp_writer_str(w, "y", 1);
	sp_writer_end(w);
	got = wclose(w);
	is_str(got, "\"\"\ny\n", "one column named \"\": the header is \"\"");
	free(got);
}

static void test_writer_ndjson(void)
{
	static const char *const cols[] = { "s", "k\"ey", "n", "z" };
	struct sp_writer *w = wopen(SP_FORMAT_NDJSON, cols, 4);

	sp_writer_str(w, "a\"b\\c\n\r\t\x01\x1f\x7f\xc3\xa9/",
		      strlen("a\"b\\c\n\r\t\x01\x1f\x7f\xc3\xa9/"));
	sp_writer_num(w, 1.5e-7);
	sp_writer_num(w, 0.1);
	sp_writer_num(w, NAN);
	sp_writer_end(w);
	sp_writer_str(w, "", 0);
	sp_writer_int(w, 7);
	sp_writer_null(w);
	sp_writer_end(w);
	sp_writer_str(w, "nul\0byte", 8);
	sp_writer_end(w);
	char *got = wclose(w);
	is_str(got,
	       "{\"s\":\"a\\\"b\\\\c\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9/\",\"k\\\"ey\":1.5e-7,"
	       "\"n\":0.1,\"z\":null}\n"
	       "{\"s\":\"\",\"k\\\"ey\":7,\"n\":null,\"z\":null}\n"
	       "{\"s\":\"nul\\u0000byte\",\"k\\\"ey\":null,\"n\":null,\"z\":null}\n",
	       "NDJSON escapes quotes, backslashes and control bytes; null fills");
	free(got);

	static const char *const in[] = {
		"1.5", "-2", "0", "01", "1e5", "1E-5", "1.", ".5", "+1", "NaN", "inf",
		"-", "0x1F", " 1", "1,5", "-0", "1e", "1e+", "00", "2020-01-02",
		"-0.0e-0", "12345678901234567890123", "1.5 ", "",
	};
	static const char *const out[] = {
		"1.5", "-2", "0", "\"01\"", "1e5", "1E-5", "\"1.\"", "\".5\"", "\"+1\"",
		"\"NaN\"", "\"inf\"", "\"-\"", "\"0x1F\"", "\" 1\"", "\"1,5\"", "-0",
		"\"1e\"", "\"1e+\"", "\"00\"", "\"2020-01-02\"", "-0.0e-0",
		"12345678901234567890123", "\"1.5 \"", "null",
	};
	size_t n = sizeof(in) / sizeof(in[0]);
	for (size_t i = 0; i < n; i++) {
		static const char *const one[] = { "v" };
		char want[128];
		w = wopen(SP_FORMAT_NDJSON, one, 1);
		sp_writer_auto(w, in[i], strlen(in[i]));
		sp_writer_end(w);
		got = wclose(w);
		snprintf(want, sizeof(want), "{\"v\":%s}\n", out[i]);
		is_str(got, want, "NDJSON auto");
		free(got);
	}

	w = wopen(SP_FORMAT_NDJSON, NULL, 0);
	sp_writer_end(w);
	got = wclose(w);
	is_str(got, "{}\n", "NDJSON with no columns: {}");
	free(got);

	static const char *const empty_name[] = { "", "b" };
	w = wopen(SP_FORMAT_NDJSON, empty_name, 2);
	sp_writer_int(w, 1);
	sp_writer_str(w, "x", 1);
	sp_writer_end(w);
	got = wclose(w);
	is_str(got, "{\"\":1,\"b\":\"x\"}\n", "NDJSON: an empty key");
	free(got);
}

/*
 * Random records of awkward text (quotes, commas, CR, LF, tabs, spaces at
 * the ends, backslashes, UTF-8, JSON-looking text) and numbers, written in
 * each format and read back: every field must come back byte for byte, or
 * as the same double.
 */
static uint64_t rng = 0x0123456789abcdefULL;

static unsigned rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void test_random_round_trip(void)
{
	static const char *const bits[] = {
		"a", "Z", "0", "7", ".", "-", "e", ",", "\"", "\"\"", " ", "\t", "\n",
		"\r", "\r\n", "\\", "{", "}", "[", ":", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "null", "true", "\x01", "\x1f", "\x7f",
	};
	enum { MAXC = 6, MAXR = 12 };
	long bad = 0, files = 0;

	for (int round = 0; round < 400; round++) {
		size_t nc = 1 + rnd(MAXC), nr = 1 + rnd(MAXR);
		enum sp_format fmt = round & 1 ? SP_FORMAT_NDJSON : SP_FORMAT_CSV;
		char names[MAXC][8], text[MAXR][MAXC][64];
		double num[MAXR][MAXC];
		const char *cols[MAXC];
		int isnum[MAXR][MAXC];

		for (size_t c = 0; c < nc; c++) {
			snprintf(names[c], sizeof(names[c]), "c%zu", c);
			cols[c] = names[c];
		}
		struct sp_writer *w = sp_writer_open(tpath("rt.out"), fmt, 0);
		sp_writer_columns(w, cols, nc);
		for (size_t r = 0; r < nr; r++) {
			for (size_t c = 0; c < nc; c++) {
				isnum[r][c] = rnd(4) == 0;
				if (isnum[r][c]) {
					uint64_t b = rng;
					memcpy(&num[r][c], &b, sizeof(double));
					if (rnd(2))
						num[r][c] = (double)rnd(1000000) / 100;
					sp_writer_num(w, num[r][c]);
					continue;
				}
				size_t k = rnd(6), len = 0;
				text[r][c][0] = '\0';
				for (size_t j = 0; j < k; j++) {
					const char *b = bits[rnd(sizeof(bits) / sizeof(bits[0]))];
					if (len + strlen(b) >= sizeof(text[r][c]))
						break;
					strcpy(text[r][c] + len, b);
					len += strlen(b);
				}
				sp_writer_str(w, text[r][c], len);
			}
			sp_writer_end(w);
		}
		if (sp_writer_close(w) != 0) {
			bad++;
			continue;
		}
		files++;

		struct sp_reader *rd = sp_reader_open(tpath("rt.out"));
		size_t r = 0;
		while (rd && sp_reader_next(rd) == 1) {
			for (size_t c = 0; r < nr && c < nc; c++) {
				struct sp_field f = sp_reader_field(rd, c);
				int same;
				if (sp_reader_bad(rd)) {
					same = 0;
				} else if (isnum[r][c]) {
					double v = num[r][c], back = 0;
					if (v != v || v - v != 0)
						same = f.type == SP_FIELD_MISSING;
					else
						same = sscanf(f.s, "%lf", &back) == 1 && back == v;
				} else {
					same = f.len == strlen(text[r][c]) &&
					       !memcmp(f.s, text[r][c], f.len);
				}
				if (!same && bad++ < 5) {
					size_t rl;
					const char *raw = sp_reader_raw(rd, &rl);
					printf("# %s round %d row %zu col %zu: got '%s' (%s) raw '%.*s'\n",
					       sp_format_name(fmt), round, r, c, f.s,
					       sp_reader_bad(rd) ? sp_reader_bad(rd) : "good",
					       (int)rl, raw);
				}
			}
			r++;
		}
		if (r != nr && bad++ < 5)
			printf("# %s round %d: %zu records, want %zu\n", sp_format_name(fmt),
			       round, r, nr);
		sp_reader_close(rd);
	}
	ok(bad == 0, "%ld random files of awkward fields read back as written", files);
	dir_clear();
}

/* Copy every record of R to a writer on PATH in FMT, fields as they are. */
static int copy_records(struct sp_reader *r, const char *path, enum sp_format fmt)
{
	struct sp_writer *w = sp_writer_open(path, fmt, 0);
	const char **names;
	size_t n;
	int got;

	if (!w)
		return -1;
	/* NDJSON columns are known only after the records: read them all first
	 * is not possible here, so this copies inputs whose first record shows
	 * every key. */
	if (sp_reader_format(r) == SP_FORMAT_NDJSON) {
		while ((got = sp_reader_next(r)) == 1 && sp_reader_bad(r))
			;
		if (got != 1) {
			sp_writer_abort(w);
			return -1;
		}
	}
	n = sp_reader_ncols(r);
	names = calloc(n + 1, sizeof(*names));
	for (size_t i = 0; i < n; i++)
		names[i] = sp_reader_colname(r, i);
	sp_writer_columns(w, names, n);
	free(names);
	got = sp_reader_format(r) == SP_FORMAT_NDJSON ? 1 : sp_reader_next(r);
	for (; got == 1; got = sp_reader_next(r)) {
		if (sp_reader_bad(r))
			continue;
		for (size_t i = 0; i < n; i++) {
			struct sp_field f = sp_reader_field(r, i);
			sp_writer_field(w, &f);
		}
		sp_writer_end(w);
	}
	return sp_writer_close(w) == 0 && got == 0 ? 0 : -1;
}

static void test_round_trip(void)
{
	static const char csv[] =
		"symbol,date,open,high,low,close,adj_close,volume,note\n"
		"AAPL,2020-01-02,74.06,75.15,73.7975,75.0875,73.449394,135480400,\n"
		"BRK-B,2020-01-03,225.5,226.9,224.01,225.71,,3166000,\"split, 1:50\"\n"
		"7203.T,2020-01-06,7400,7420,7305,7370,7370,,\"say \"\"hi\"\"\"\n"
		"X,2020-01-07,0.000123,1e+21,1.5e-7,-2,0,1,\"two\nlines\"\n"
		"Y,2020-01-08,1,2,3,4,5,6,\xc3\xa9t\xc3\xa9 \\ back\\slash\n"
		"Z,2020-01-09,1,2,3,4,5,6,\" padded \"\n"
		"Z,2020-01-10,1,2,3,4,5,6,007\n";
	static const char nd[] =
		"{\"symbol\":\"AAPL\",\"date\":\"2020-01-02\",\"open\":74.06,\"high\":75.15,"
		"\"low\":73.7975,\"close\":75.0875,\"adj_close\":73.449394,"
		"\"volume\":135480400,\"note\":null}\n"
		"{\"symbol\":\"BRK-B\",\"date\":\"2020-01-03\",\"open\":225.5,\"high\":226.9,"
		"\"low\":224.01,\"close\":225.71,\"adj_close\":null,\"volume\":3166000,"
		"\"note\":\"split, 1:50\"}\n"
		"{\"symbol\":\"7203.T\",\"date\":\"2020-01-06\",\"open\":7400,\"high\":7420,"
		"\"low\":7305,\"close\":7370,\"adj_close\":7370,\"volume\":null,"
		"\"note\":\"say \\\"hi\\\"\"}\n"
		"{\"symbol\":\"X\",\"date\":\"2020-01-07\",\"open\":0.000123,\"high\":1e+21,"
		"\"low\":1.5e-7,\"close\":-2,\"adj_close\":0,\"volume\":1,"
		"\"note\":\"two\\nlines\"}\n"
		"{\"symbol\":\"Y\",\"date\":\"2020-01-08\",\"open\":1,\"high\":2,\"low\":3,"
		"\"close\":4,\"adj_close\":5,\"volume\":6,"
		"\"note\":\"\xc3\xa9t\xc3\xa9 \\\\ back\\\\slash\"}\n"
		"{\"symbol\":\"Z\",\"date\":\"2020-01-09\",\"open\":1,\"high\":2,\"low\":3,"
		"\"close\":4,\"adj_close\":5,\"volume\":6,\"note\":\" padded \"}\n"
		"{\"symbol\":\"Z\",\"date\":\"2020-01-10\",\"open\":1,\"high\":2,\"low\":3,"
		"\"close\":4,\"adj_close\":5,\"volume\":6,\"note\":\"007\"}\n";
	struct sp_reader *r;
	char *got;
	size_t len;

	r = sp_reader_open_mem(csv, sizeof(csv) - 1, "sample.csv");
	ok(copy_records(r, tpath("a.ndjson"), SP_FORMAT_NDJSON) == 0, "CSV -> NDJSON");
	sp_reader_close(r);
	got = slurp(tpath("a.ndjson"), &len);
	is_str(got, nd, "NDJSON: strings quoted, numbers bare, empty fields null");
	r = sp_reader_open(tpath("a.ndjson"));
	ok(copy_records(r, tpath("b.csv"), SP_FORMAT_CSV) == 0, "NDJSON -> CSV");
	sp_reader_close(r);
	free(got);
	got = slurp(tpath("b.csv"), &len);
	ok(len == sizeof(csv) - 1 && !memcmp(got, csv, len),
	   "CSV -> NDJSON -> CSV gives identical bytes");
	if (len != sizeof(csv) - 1 || memcmp(got, csv, len))
		printf("# got:\n%s", got);
	free(got);

	r = sp_reader_open_mem(csv, sizeof(csv) - 1, "sample.csv");
	ok(copy_records(r, tpath("c.csv"), SP_FORMAT_CSV) == 0, "CSV -> CSV");
	sp_reader_close(r);
	got = slurp(tpath("c.csv"), &len);
	ok(len == sizeof(csv) - 1 && !memcmp(got, csv, len), "CSV -> CSV gives identical bytes");
	free(got);

	r = sp_reader_open_mem(nd, sizeof(nd) - 1, "sample.ndjson");
	ok(copy_records(r, tpath("d.ndjson"), SP_FORMAT_NDJSON) == 0, "NDJSON -> NDJSON");
	sp_reader_close(r);
	got = slurp(tpath("d.ndjson"), &len);
	is_str(got, nd, "NDJSON -> NDJSON gives identical bytes");
	free(got);

	/* numbers not in shortest form settle after one trip through NDJSON */
	static const char loose[] = "a,b,c,d\n80.0,1e5,-0,1.10\n";
	r = sp_reader_open_mem(loose, sizeof(loose) - 1, "loose.csv");
	copy_records(r, tpath("e.ndjson"), SP_FORMAT_NDJSON);
	sp_reader_close(r);
	got = slurp(tpath("e.ndjson"), NULL);
	is_str(got, "{\"a\":80.0,\"b\":1e5,\"c\":-0,\"d\":1.10}\n",
	       "CSV numbers pass into NDJSON as written");
	free(got);
	r = sp_reader_open(tpath("e.ndjson"));
	copy_records(r, tpath("f.csv"), SP_FORMAT_CSV);
	sp_reader_close(r);
	got = slurp(tpath("f.csv"), NULL);
	is_str(got, "a,b,c,d\n80,100000,0,1.1\n", "and come back in shortest form");
	free(got);

	static const char types[] = "{\"t\":true,\"f\":false,\"n\":null,\"x\":1e400}\n"
				    "{\"t\":false,\"f\":true,\"n\":\"\",\"x\":-1.25}\n";
	r = sp_reader_open_mem(types, sizeof(types) - 1, "types.ndjson");
	copy_records(r, tpath("g.ndjson"), SP_FORMAT_NDJSON);
	sp_reader_close(r);
	got = slurp(tpath("g.ndjson"), NULL);
	is_str(got, "{\"t\":false,\"f\":true,\"n\":null,\"x\":-1.25}\n",
	       "true/false pass through as JSON; a bad line is skipped by the copy");
	free(got);
	dir_clear();
}

static void test_long_field(void)
{
	size_t n = 2 << 20, len;
	char *big = malloc(n), *big2 = malloc(n);
	static const char *const cols[] = { "id", "big", "tail" };

	for (size_t i = 0; i < n; i++) {
		big[i] = (char)('a' + i % 26);
		big2[i] = i % 1000 == 999 ? ',' : i % 777 == 0 ? '"' : (char)('A' + i % 26);
	}
	struct sp_writer *w = sp_writer_open(tpath("big.csv"), SP_FORMAT_CSV, 0);
	sp_writer_columns(w, cols, 3);
	sp_writer_str(w, "1", 1);
	sp_writer_str(w, big, n);
	sp_writer_str(w, "end", 3);
	sp_writer_end(w);
	sp_writer_str(w, "2", 1);
	sp_writer_str(w, big2, n);
	sp_writer_str(w, "end", 3);
	sp_writer_end(w);
	ok(sp_writer_close(w) == 0, "write two 2 MB fields");

	struct sp_reader *r = sp_reader_open(tpath("big.csv"));
	struct sp_field f;
	ok(sp_reader_next(r) == 1 && !sp_reader_bad(r), "read the first back");
	f = sp_reader_field(r, 1);
	ok(f.len == n && !memcmp(f.s, big, n), "2 MB plain field round trips");
	ok(!strcmp(sp_reader_field(r, 2).s, "end"), "and the field after it");
	ok(sp_reader_next(r) == 1 && !sp_reader_bad(r), "read the second back");
	f = sp_reader_field(r, 1);
	ok(f.len == n && !memcmp(f.s, big2, n), "2 MB quoted field with commas and quotes");
	is_int(sp_reader_line(r), 3, "on line 3");
	is_int(sp_reader_next(r), 0, "then the end");
	sp_reader_close(r);

	/* the same through NDJSON, from a file ending without a newline */
	w = sp_writer_open(tpath("big.ndjson"), SP_FORMAT_NDJSON, 0);
	sp_writer_columns(w, cols, 3);
	sp_writer_str(w, "x", 1);
	sp_writer_str(w, big2, n);
	sp_writer_end(w);
	sp_writer_close(w);
	char *text = slurp(tpath("big.ndjson"), &len);
	spew(tpath("big.ndjson"), text, len - 1);
	free(text);
	r = sp_reader_open(tpath("big.ndjson"));
	ok(r && sp_reader_next(r) == 1 && !sp_reader_bad(r), "2 MB NDJSON line");
	f = sp_reader_field(r, 1);
	ok(f.type == SP_FIELD_STRING && f.len == n && !memcmp(f.s, big2, n),
	   "2 MB JSON string round trips");
	sp_reader_close(r);

	/* a long unquoted last line without a newline */
	struct sbuf b = { 0 };
	sb_add(&b, "a\n", 2);
	sb_add(&b, big, n);
	r = sp_reader_open_mem(b.s, b.len, "mem");
	ok(sp_reader_next(r) == 1 && !sp_reader_bad(r) && sp_reader_field(r, 0).len == n,
	   "a 2 MB last line without a newline is a good record");
	sp_reader_close(r);
	free(b.s);
	dir_clear();
	free(big);
	free(big2);
}

/* ---- output: atomic files, zstd, FIFOs, pipes ------------------------------ */

static void test_atomic(void)
{
	static const char *const cols[] = { "a", "b" };
	struct sp_writer *w;
	char *s;
	struct stat st;

	dir_clear();
	umask(022);
	w = sp_writer_open(tpath("out.csv"), SP_FORMAT_CSV, 0);
	sp_writer_columns(w, cols, 2);
	sp_writer_str(w, "1", 1);
	sp_writer_str(w, "2", 1);
	sp_writer_end(w);
	sp_writer_flush(w);
	s = dir_list();
	ok(!strncmp(s, "out.csv.tmp.", 12) && !strchr(s, ' '),
	   "while writing, only a temporary file exists (%s)", s);
	free(s);
	ok(sp_writer_close(w) == 0, "close commits");
	s = dir_list();
	is_str(s, "out.csv", "after close: the target, no temporary file");
	free(s);
	s = slurp(tpath("out.csv"), NULL);
	is_str(s, "a,b\n1,2\n", "with the records");
	free(s);
	ok(stat(tpath("out.csv"), &st) == 0 && (st.st_mode & 0777) == 0644,
	   "mode is 0666 & ~umask");

	w = sp_writer_open(tpath("out.csv"), SP_FORMAT_CSV, 0);
	sp_writer_columns(w, cols, 2);
	for (int i = 0; i < 20000; i++) {
		sp_writer_int(w, i);
		sp_writer_int(w, -i);
		sp_writer_end(w);
	}
	sp_writer_flush(w);
	s = slurp(tpath("out.csv"), NULL);
	is_str(s, "a,b\n1,2\n", "while a new version is written the old one stays");
	free(s);
	sp_writer_abort(w);
	s = slurp(tpath("out.csv"), NULL);
	is_str(s, "a,b\n1,2\n", "abort leaves the target as it was");
	free(s);
	s = dir_list();
	is_str(s, "out.csv", "and no temporary file");
	free(s);

	capture_begin();
	w = sp_writer_open(tpath("no/such/dir.csv"), SP_FORMAT_CSV, 0);
	s = capture_end();
	ok(w == NULL, "a target in a missing directory fails to open");
	ok(strstr(s, "cannot create temporary file") != NULL, "with a message");
	free(s);
	dir_clear();
}

static void test_zstd_output(void)
{
	static const char *const cols[] = { "symbol", "close" };
	static const char want[] = "symbol,close\nAAPL,75.0875\n\"A,B\",\n";
	struct sp_writer *w = sp_writer_open(tpath("out.csv.zst"), SP_FORMAT_CSV, 0);
	size_t len;
	char *z, *s;

	sp_writer_columns(w, cols, 2);
	sp_writer_str(w, "AAPL", 4);
	sp_writer_num(w, 75.0875);
	sp_writer_end(w);
	sp_writer_str(w, "A,B", 3);
	sp_writer_null(w);
	sp_writer_end(w);
	ok(sp_writer_close(w) == 0, "write a .zst target");
	s = dir_list();
	is_str(s, "out.csv.zst", "no temporary file left");
	free(s);
	z = slurp(tpath("out.csv.zst"), &len);
	ok(len >= 4 && !memcmp(z, "\x28\xb5\x2f\xfd", 4), "it starts with the zstd magic");
	char plain[256];
	size_t pn = ZSTD_decompress(plain, sizeof(plain), z, len);
	ok(!ZSTD_isError(pn) && pn == sizeof(want) - 1 && !memcmp(plain, want, pn),
	   "libzstd decompresses it to the CSV text");
	free(z);
	struct sp_reader *r = sp_reader_open(tpath("out.csv.zst"));
	char *d = r ? dump_reader(r) : strdup("(open failed)");
	is_str(d, "2 [AAPL,75.0875] AAPL|75.0875\n3 [\"A,B\",] A,B|~\nend 0 cols symbol close",
	       "and the reader reads it back");
	free(d);
	sp_reader_close(r);

	/* a streaming .zst writer flushes whole blocks after every record */
	dir_clear();
	w = sp_writer_open(tpath("s.ndjson.zst"), SP_FORMAT_NDJSON, SP_WRITER_STREAM);
	sp_writer_columns(w, cols, 2);
	sp_writer_str(w, "AAPL", 4);
	sp_writer_num(w, 1.5);
	sp_writer_end(w);
	{
		static const char rec[] = "{\"symbol\":\"AAPL\",\"close\":1.5}\n";
		char *name = dir_list();
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", name);
		free(name);
		z = slurp(tpath(tmp), &len);
		ZSTD_DCtx *dc = ZSTD_createDCtx();
		ZSTD_inBuffer zin = { z, len, 0 };
		ZSTD_outBuffer zout = { plain, sizeof(plain), 0 };
		size_t ret = ZSTD_decompressStream(dc, &zout, &zin);
		ok(!ZSTD_isError(ret) && zout.pos == sizeof(rec) - 1 &&
		   !memcmp(plain, rec, sizeof(rec) - 1),
		   "SP_WRITER_STREAM: a record is readable from the .zst before close");
		ZSTD_freeDCtx(dc);
		free(z);
	}
	sp_writer_close(w);
	dir_clear();
}

static void test_fifo_target(void)
{
	static const char *const cols[] = { "a" };
	struct stat st;
	char buf[256];
	int rfd;
	ssize_t n;

	if (mkfifo(tpath("fifo"), 0600) < 0) {
		ok(0, "mkfifo: %s", strerror(errno));
		return;
	}
	rfd = open(tpath("fifo"), O_RDONLY | O_NONBLOCK);
	struct sp_writer *w = sp_writer_open(tpath("fifo"), SP_FORMAT_CSV, 0);
	ok(w != NULL, "open a FIFO as the target");
	if (w) {
		sp_writer_columns(w, cols, 1);
		sp_writer_str(w, "x", 1);
		sp_writer_end(w);
		ok(sp_writer_close(w) == 0, "close it");
	}
	n = read(rfd, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, "a\nx\n", "the records went into the FIFO");
	close(rfd);
	ok(stat(tpath("fifo"), &st) == 0 && S_ISFIFO(st.st_mode),
	   "the FIFO is still a FIFO, not replaced by a file");
	char *s = dir_list();
	is_str(s, "fifo", "and no temporary file");
	free(s);
	dir_clear();
}

/* Point stdout at the write end of a pipe whose read end is closed. */
static int stdout_to_dead_pipe(void)
{
	int fds[2], saved;

	fflush(stdout);
	if (pipe(fds) < 0)
		abort();
	close(fds[0]);
	saved = dup(1);
	dup2(fds[1], 1);
	close(fds[1]);
	return saved;
}

static void stdout_restore(int saved)
{
	dup2(saved, 1);
	close(saved);
}

static void test_epipe(void)
{
	static const char *const cols[] = { "a", "b" };
	int saved, end, closed, cl, records = 0;
	char *msg;
	struct sp_writer *w;

	signal(SIGPIPE, SIG_IGN);

	capture_begin();
	saved = stdout_to_dead_pipe();
	w = sp_writer_open(NULL, SP_FORMAT_NDJSON, SP_WRITER_STREAM);
	sp_writer_columns(w, cols, 2);
	sp_writer_str(w, "x", 1);
	sp_writer_int(w, 1);
	end = sp_writer_end(w);
	closed = sp_writer_closed(w);
	cl = sp_writer_close(w);
	stdout_restore(saved);
	msg = capture_end();
	is_int(end, -1, "stream mode: sp_writer_end fails on a closed pipe");
	is_int(closed, 1, "sp_writer_closed says the reader went away");
	is_int(cl, 0, "sp_writer_close then succeeds");
	is_str(msg, "", "and nothing is printed");
	free(msg);

	capture_begin();
	saved = stdout_to_dead_pipe();
	w = sp_writer_open("-", SP_FORMAT_CSV, 0);
	sp_writer_columns(w, cols, 2);
	do {
		sp_writer_int(w, records);
		sp_writer_str(w, "some text to fill the buffer", 28);
		records++;
	} while ((end = sp_writer_end(w)) == 0 && records < 1000000);
	closed = sp_writer_closed(w);
	int again = sp_writer_end(w);
	cl = sp_writer_close(w);
	stdout_restore(saved);
	msg = capture_end();
	is_int(end, -1, "buffered: sp_writer_end fails once the buffer is written");
	ok(records < 10000, "after at most a buffer's worth (%d records)", records);
	is_int(closed, 1, "sp_writer_closed is 1");
	is_int(again, -1, "later records fail too");
	is_int(cl, 0, "sp_writer_close returns 0");
	is_str(msg, "", "no message");
	free(msg);

	capture_begin();
	saved = stdout_to_dead_pipe();
	w = sp_writer_open(NULL, SP_FORMAT_CSV, 0);
	sp_writer_columns(w, cols, 2);
	sp_writer_str(w, "x", 1);
	end = sp_writer_end(w);
	int fl = sp_writer_flush(w);
	closed = sp_writer_closed(w);
	cl = sp_writer_close(w);
	stdout_restore(saved);
	msg = capture_end();
	ok(end == 0 && fl == -1 && closed == 1 && cl == 0 && !*msg,
	   "a flush finds the closed pipe quietly too");
	free(msg);
}

static void test_formats(void)
{
	is_int(sp_format_parse("csv"), SP_FORMAT_CSV, "format csv");
	is_int(sp_format_parse("ndjson"), SP_FORMAT_NDJSON, "format ndjson");
	is_int(sp_format_parse("xml"), SP_FORMAT_AUTO, "format xml is auto");
	is_str(sp_format_name(SP_FORMAT_CSV), "csv", "name csv");
	is_str(sp_format_name(SP_FORMAT_NDJSON), "ndjson", "name ndjson");
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sp-test-record.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_formats();
	test_csv_basic();
	test_csv_quoting();
	test_csv_line_ends();
	test_csv_bad();
	test_csv_big_recovery();
	test_ndjson();
	test_want_present();
	test_open_part();
	test_zstd_mem();
	test_pipes_and_files();
	test_writer_csv();
	test_writer_ndjson();
	test_random_round_trip();
	test_round_trip();
	test_long_field();
	test_atomic();
	test_zstd_output();
	test_fifo_target();
	test_epipe();
	dir_clear();
	rmdir(tmpdir);
	return tap_done();
}
