/*
 * train-report.c - the table sp-train prints on stderr: the report's
 * overall figures for the model and the baselines, then one line per fold.
 */
#include "train.h"

#include "json.h"

#include <math.h>
#include <stdio.h>
#include "banned.h"

/* V right-aligned in WIDTH columns with DIGITS decimals, "-" when undefined. */
static void cell(FILE *f, double v, int digits, int width)
{
	if (isnan(v))
		fprintf(f, "%*s", width, "-");
	else
		fprintf(f, "%*.*f", width, digits, v);
}

static void line(FILE *f, const char *label, const json_t *m, const char *tail)
{
	fprintf(f, "  %-10s", label);
	cell(f, sp_json_num(m, "n"), 0, 9);
	cell(f, sp_json_num(m, "mae"), 5, 10);
	cell(f, sp_json_num(m, "rmse"), 5, 10);
	cell(f, sp_json_num(m, "r2_oos"), 4, 9);
	cell(f, 100 * sp_json_num(m, "hit_rate"), 1, 7);
	cell(f, sp_json_num(m, "hit_p"), 3, 8);
	cell(f, sp_json_num(m, "ic_mean"), 4, 8);
	cell(f, sp_json_num(m, "ic_t_nw"), 2, 7);
	cell(f, sp_json_num(m, "dm_stat"), 2, 7);
	cell(f, sp_json_num(m, "dm_p"), 3, 8);
	fprintf(f, "%s%s\n", *tail ? "  " : "", tail);
}

static const char header[] = "  %-10s%9s%10s%10s%9s%7s%8s%8s%7s%7s%8s\n";

void sp_train_print_table(const json_t *report, FILE *f)
{
	const char *kind = json_string_value(json_object_get(report, "model"));
	const json_t *overall = json_object_get(report, "overall"), *folds, *fold;
	const json_t *iv = json_object_get(report, "interval");
	size_t i;

	fprintf(f, "out of sample, all folds (%s, %s):\n", kind,
		json_string_value(json_object_get(report, "target")));
	fprintf(f, header, "forecast", "rows", "MAE", "RMSE", "R2", "hit%", "hit p", "IC",
		"IC t", "DM", "DM p");
	line(f, kind, json_object_get(overall, kind), "");
	line(f, "zero", json_object_get(overall, "zero"), "");
	line(f, "mean", json_object_get(overall, "mean"), "");
	line(f, "momentum", json_object_get(overall, "momentum"), "");
	if (json_object_get(report, "by_symbol")) {
		const char *sym;
		const json_t *one;
		fprintf(f, "by symbol (%s, each its own model):\n", kind);
		fprintf(f, header, "symbol", "rows", "MAE", "RMSE", "R2", "hit%", "hit p", "IC",
			"IC t", "DM", "DM p");
		json_object_foreach((json_t *)json_object_get(report, "by_symbol"), sym, one)
			line(f, sym, json_object_get(one, "metrics"), "");
		goto tail;
	}
	fprintf(f, "by fold (%s):\n", kind);
	fprintf(f, "  %-10s%9s%10s%10s%9s%7s%8s%8s%7s%7s%8s  %s\n", "fold", "rows", "MAE", "RMSE",
		"R2", "hit%", "hit p", "IC", "IC t", "DM", "DM p", "test dates");
	folds = json_object_get(report, "folds");
	json_array_foreach(folds, i, fold) {
		const json_t *test = json_object_get(fold, "test");
		char label[24], dates[80];
		snprintf(label, sizeof(label), "%zu", i + 1);
		snprintf(dates, sizeof(dates), "%s .. %s",
			 json_string_value(json_object_get(test, "from")),
			 json_string_value(json_object_get(test, "to")));
		line(f, label, json_object_get(json_object_get(fold, "metrics"), kind), dates);
	}
tail:
	fprintf(f, "interval: %.0f%% nominal, %.1f%% empirical out of sample, ",
		100 * sp_json_num(iv, "nominal"), 100 * sp_json_num(iv, "empirical"));
	if (isnan(sp_json_num(iv, "final_half_width")))
		fprintf(f, "half-width per symbol\n");
	else
		fprintf(f, "half-width %.4g\n", sp_json_num(iv, "final_half_width"));
	fprintf(f, "%s\n", json_string_value(json_object_get(report, "verdict")));
}
