/*
 * fuzz-bar - bar rows (bar.h) under the fixed contract header: column
 * binding, and sp_bar_parse() with the XNYS calendar on every record.
 */
#include "bar.h"
#include "calendar.h"
#include "walk.h"

static const char header[] = "symbol,date,open,high,low,close,adj_close,volume\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sp_calendar *cal = sp_calendar_get("XNYS");
	struct sp_bar_rules rules = { cal, 1e-6 };
	struct sp_bar_cols cols;
	struct sp_reader *r;
	char *buf = malloc(sizeof(header) - 1 + size);
	long last_line = 0;
	int got;

	if (!buf || !cal)
		abort();
	memcpy(buf, header, sizeof(header) - 1);
	memcpy(buf + sizeof(header) - 1, data, size);
	r = sp_reader_open_mem(buf, sizeof(header) - 1 + size, "fuzz");
	CHECK(r != NULL);	/* the header alone decides: never fails */
	CHECK(sp_reader_ncols(r) == 8);
	CHECK(sp_bar_cols_bind(&cols, r, NULL) == 0);
	while ((got = sp_reader_next(r)) == 1) {
		struct sp_bar bar;
		char detail[256];
		int oor = 0;
		enum sp_reject why;

		check_record(r, &last_line);
		memset(detail, 'X', sizeof(detail));
		why = sp_bar_parse(&cols, r, &rules, &bar, detail, sizeof(detail), &oor);
		CHECK(why < SP_REJECT_COUNT);
		CHECK(sp_reject_name(why) != NULL);
		CHECK(memchr(detail, '\0', sizeof(detail)) != NULL || why == SP_REJECT_NONE);
		if (sp_reader_bad(r))
			CHECK(why == SP_REJECT_MALFORMED);
		if (why == SP_REJECT_NONE) {
			CHECK(memchr(bar.symbol, '\0', sizeof(bar.symbol)) != NULL);
			CHECK(bar.low <= bar.high);
			CHECK(bar.open > 0 && bar.high > 0 && bar.low > 0 && bar.close > 0);
			CHECK(!bar.has_volume || bar.volume >= 0);
			touch(bar.symbol, strlen(bar.symbol));
		}
	}
	CHECK(got == 0);	/* plain memory input: no I/O error */
	sp_bar_cols_release(&cols);
	sp_reader_close(r);
	free(buf);
	return 0;
}
