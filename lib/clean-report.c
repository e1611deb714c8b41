/* clean-report.c - what sp-clean says it did: JSON summary and stderr lines. */
#include "calendar.h"
#include "clean-job.h"
#include "output.h"
#include "usage.h"

#include <stdio.h>
#include <string.h>
#include "banned.h"

/* ---- summary ------------------------------------------------------------ */

static json_t *summary_json(struct job *j)
{
	json_t *rej = json_object(), *inputs = json_array(), *s;
	char a[32] = "", b[32] = "";

	for (int k = 1; k < SP_REJECT_COUNT; k++)
		if (j->st.by_reason[k])
			json_object_set_new(rej, sp_reject_name(k), json_integer(j->st.by_reason[k]));
	for (size_t i = 0; i < j->ninputs; i++) {
		json_t *in = json_pack("{s:s?, s:I, s:i}", "name", j->inputs[i].name, "rows",
				       (json_int_t)j->inputs[i].rows, "threads",
				       j->inputs[i].threads ? j->inputs[i].threads : 1);
		if (in && j->inputs[i].error)
			json_object_set_new(in, "error", json_string(j->inputs[i].error));
		json_array_append_new(inputs, in);
	}
	if (j->st.have_dates) {
		sp_when_format(&j->st.first, a);
		sp_when_format(&j->st.last, b);
	}
	s = json_pack("{s:s, s:s, s:o, s:I, s:I, s:I, s:o, s:{s:I, s:I}, s:I,"
		      " s:{s:I, s:I, s:I, s:I}, s:I, s:s?, s:s?, s:s?, s:I, s:I}",
		      "tool", "sp-clean", "mode", j->o->stream ? "stream" : "batch",
		      "inputs", inputs, "rows_read", (json_int_t)j->st.read,
		      "rows_written", (json_int_t)j->st.written,
		      "rows_rejected", (json_int_t)j->st.rejected, "rejected", rej,
		      "duplicates", "exact", (json_int_t)j->st.dup_exact, "conflicting",
		      (json_int_t)j->st.dup_conflict, "revisions", (json_int_t)j->st.revisions,
		      "flags", "jump", (json_int_t)j->st.jumps, "split", (json_int_t)j->st.splits,
		      "gap", (json_int_t)j->st.gap_rows, "missing_days",
		      (json_int_t)j->st.missing_days, "symbols", (json_int_t)j->st.symbols,
		      "first_date", j->st.have_dates ? a : NULL,
		      "last_date", j->st.have_dates ? b : NULL,
		      "calendar", j->cal ? sp_calendar_name(j->cal) : NULL,
		      "outside_calendar", (json_int_t)j->st.outside_calendar,
		      "sort_runs", (json_int_t)(j->store ? sp_rowstore_runs(j->store) : 0));
	if (s && j->conflicts)
		json_object_set(s, "conflicts", j->conflicts);
	return s;
}

int sp_clean_summary_write(struct job *j)
{
	json_t *s = summary_json(j);
	char *text = s ? json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	struct sp_output *out;
	int r = -1;

	json_decref(s);
	if (!text)
		return sp_error("out of memory");
	out = sp_output_open(j->o->summary, SP_OUTPUT_PLAIN);
	if (out) {
		if (sp_output_write(out, text, strlen(text)) == 0 &&
		    sp_output_write(out, "\n", 1) == 0)
			r = sp_output_close(out);
		else
			sp_output_abort(out);
	}
	free(text);
	return r;
}

void sp_clean_summary_print(struct job *j)
{
	const struct stats *st = &j->st;
	char reasons[512] = "", a[32], b[32];
	size_t len = 0;

	for (int k = 1; k < SP_REJECT_COUNT && len < sizeof(reasons); k++)
		if (st->by_reason[k])
			len += (size_t)snprintf(reasons + len, sizeof(reasons) - len, "%s%s %lld",
						len ? ", " : " (", sp_reject_name(k),
						st->by_reason[k]);
	if (len && len < sizeof(reasons))
		snprintf(reasons + len, sizeof(reasons) - len, ")");
	fprintf(stderr, "%s: %lld rows read from %zu input%s: %lld written, %lld rejected%s, "
		"%lld exact and %lld conflicting duplicates dropped",
		sp_progname(), st->read, j->ninputs, j->ninputs == 1 ? "" : "s", st->written,
		st->rejected, reasons, st->dup_exact, st->dup_conflict);
	if (j->o->stream)
		fprintf(stderr, ", %lld revisions", st->revisions);
	fprintf(stderr, "\n");
	if (!j->committed && j->o->output)
		fprintf(stderr, "%s: the run failed: %s was left as it was\n", sp_progname(),
			j->o->output);
	else if (!j->committed)
		fprintf(stderr, "%s: the run failed\n", sp_progname());
	if (st->have_dates) {
		sp_when_format(&st->first, a);
		sp_when_format(&st->last, b);
		fprintf(stderr, "%s: %lld symbols, %s to %s; flagged: %lld jumps, %lld splits, "
			"%lld gaps (%lld missing trading days)\n", sp_progname(), st->symbols,
			a, b, st->jumps, st->splits, st->gap_rows, st->missing_days);
	}
}

