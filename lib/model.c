/*
 * model.c - models to and from their JSON files, and prediction.
 *
 * One function per direction, so that what is written is exactly what is
 * read: sp_model_to_json() and from_json() mirror each other field by field.
 */
#include "model.h"

#include "dataset.h"
#include "gbdt.h"
#include "json.h"
#include "usage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

#define FORMAT_NAME "sp-model"
#define FORMAT_VERSION 1

static const char *const kind_names[] = {
	[SP_MODEL_NAIVE] = "naive",	    [SP_MODEL_RIDGE] = "ridge",
	[SP_MODEL_LOGISTIC] = "logistic",   [SP_MODEL_GBDT] = "gbdt",
	[SP_MODEL_ENSEMBLE] = "ensemble",
};

static const char *const rule_names[] = {
	[SP_NAIVE_ZERO] = "zero", [SP_NAIVE_MEAN] = "mean", [SP_NAIVE_MOMENTUM] = "momentum",
};

const char *sp_model_kind_name(enum sp_model_kind kind)
{
	return kind_names[kind];
}

int sp_model_kind_parse(const char *name, enum sp_model_kind *kind)
{
	for (size_t i = 0; i < sizeof(kind_names) / sizeof(*kind_names); i++) {
		if (!strcmp(name, kind_names[i])) {
			*kind = (enum sp_model_kind)i;
			return 0;
		}
	}
	return -1;
}

const char *sp_naive_rule_name(enum sp_naive_rule rule)
{
	return rule_names[rule];
}

struct sp_model *sp_model_new(enum sp_model_kind kind, const char *const *names, size_t n,
			      const char *target, int horizon, int logret)
{
	struct sp_model *m = calloc(1, sizeof(*m));

	if (!m || !(m->feat = calloc(n + 1, sizeof(*m->feat))) || !(m->target = strdup(target)))
		goto oom;
	m->kind = kind;
	m->horizon = horizon;
	m->logret = logret;
	m->buy = m->sell = m->coverage = m->half_width = m->mean = NAN;
	for (; m->nfeat < n; m->nfeat++)
		if (!(m->feat[m->nfeat] = strdup(names[m->nfeat])))
			goto oom;
	if ((kind == SP_MODEL_RIDGE || kind == SP_MODEL_LOGISTIC) && sp_linear_init(&m->lin, n) < 0)
		goto fail;
	return m;
oom:
	sp_error("out of memory");
fail:
	sp_model_free(m);
	return NULL;
}

void sp_model_free(struct sp_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nfeat; i++)
		free(m->feat[i]);
	free(m->feat);
	free(m->target);
	sp_linear_release(&m->lin);
	sp_gbdt_free(m->gbdt);
	for (size_t i = 0; i < m->nmembers; i++)
		sp_model_free(m->members[i]);
	free(m->members);
	free(m->weights);
	for (size_t i = 0; i < m->nsymbols; i++) {
		free(m->symbols[i]);
		sp_model_free(m->by_symbol[i]);
	}
	free(m->symbols);
	free(m->by_symbol);
	free(m->label);
	json_decref(m->doc);
	free(m);
}

const struct sp_model *sp_model_pick(const struct sp_model *m, const char *symbol)
{
	size_t lo = 0, hi = m->nsymbols;

	if (!m->symbols)
		return m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->symbols[mid], symbol);
		if (!c)
			return m->by_symbol[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int sp_model_add_symbol(struct sp_model *m, const char *symbol, struct sp_model *sub)
{
	size_t n = m->nsymbols;
	void *p;

	if (n && strcmp(m->symbols[n - 1], symbol) >= 0)
		return sp_error("internal: per-symbol models out of order");
	if (!(p = realloc(m->symbols, (n + 1) * sizeof(*m->symbols))))
		return sp_error("out of memory");
	m->symbols = p;
	if (!(p = realloc(m->by_symbol, (n + 1) * sizeof(*m->by_symbol))))
		return sp_error("out of memory");
	m->by_symbol = p;
	if (!(m->symbols[n] = strdup(symbol)))
		return sp_error("out of memory");
	m->by_symbol[n] = sub;
	m->nsymbols++;
	return 0;
}

/* ---- prediction ----------------------------------------------------------------- */

static int complete(const double *x, size_t p)
{
	for (size_t j = 0; j < p; j++)
		if (isnan(x[j]))
			return 0;
	return 1;
}

int sp_model_predict(const struct sp_model *m, const double *x, size_t n, double *ret,
		     double *prob)
{
	size_t p = m->nfeat;

	for (size_t i = 0; prob && i < n; i++)
		prob[i] = NAN;
	if (m->symbols)
		return sp_error("internal: a per-symbol model needs the rows' symbols");
	switch (m->kind) {
	case SP_MODEL_NAIVE:
		for (size_t i = 0; i < n; i++)
			ret[i] = m->rule == SP_NAIVE_ZERO ? 0 :
				 m->rule == SP_NAIVE_MEAN ? m->mean : x[i * p];
		return 0;
	case SP_MODEL_RIDGE:
		for (size_t i = 0; i < n; i++)
			ret[i] = complete(x + i * p, p) ? sp_linear_eval(&m->lin, x + i * p) : NAN;
		return 0;
	case SP_MODEL_LOGISTIC:
		for (size_t i = 0; i < n; i++) {
			double pr = complete(x + i * p, p) ? sp_logistic_prob(&m->lin, x + i * p) : NAN;
			/* The expected return if the size of a move does not depend
			 * on the features, only its direction. */
			ret[i] = pr * m->lin.up_mean + (1 - pr) * m->lin.down_mean;
			if (prob)
				prob[i] = pr;
		}
		return 0;
	case SP_MODEL_GBDT:
		return sp_gbdt_predict(m->gbdt, x, n, p, ret);
	case SP_MODEL_ENSEMBLE: {
		double *tmp = malloc((n + 1) * sizeof(double));
		if (!tmp)
			return sp_error("out of memory");
		for (size_t i = 0; i < n; i++)
			ret[i] = 0;
		for (size_t k = 0; k < m->nmembers; k++) {
			if (sp_model_predict(m->members[k], x, n, tmp, NULL) < 0) {
				free(tmp);
				return -1;
			}
			for (size_t i = 0; i < n; i++)
				ret[i] += m->weights[k] * tmp[i];
		}
		free(tmp);
		return 0;
	}
	}
	return sp_error("internal: unknown model kind");
}

int sp_model_predict_sym(const struct sp_model *m, const char *const *sym, const double *x,
			 size_t n, double *ret, double *prob, double *hw)
{
	if (!m->symbols) {
		for (size_t i = 0; i < n; i++)
			hw[i] = m->half_width;
		return sp_model_predict(m, x, n, ret, prob);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sp_model *sub = sp_model_pick(m, sym[i]);
		ret[i] = hw[i] = NAN;
		if (prob)
			prob[i] = NAN;
		if (!sub)
			continue;
		if (sp_model_predict(sub, x + i * m->nfeat, 1, ret + i, prob ? prob + i : NULL) < 0)
			return -1;
		hw[i] = sub->half_width;
	}
	return 0;
}

/* ---- to JSON -------------------------------------------------------------------- */

static json_t *numbers(const double *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, sp_json_real(v[i]));
	return a;
}

static json_t *params_json(const struct sp_model *m)
{
	json_t *p = json_object();

	if (m->symbols) {
		json_t *all = json_object();
		for (size_t i = 0; i < m->nsymbols; i++)
			json_object_set_new(all, m->symbols[i],
					    json_pack("{s:o, s:o}", "params",
						      params_json(m->by_symbol[i]), "half_width",
						      sp_json_real(m->by_symbol[i]->half_width)));
		json_object_set_new(p, "per_symbol", all);
		return p;
	}

	switch (m->kind) {
	case SP_MODEL_NAIVE:
		json_object_set_new(p, "rule", json_string(rule_names[m->rule]));
		if (m->rule == SP_NAIVE_MEAN)
			json_object_set_new(p, "mean", sp_json_real(m->mean));
		break;
	case SP_MODEL_RIDGE:
	case SP_MODEL_LOGISTIC:
		json_object_set_new(p, "alpha", sp_json_real(m->lin.alpha));
		json_object_set_new(p, "intercept", sp_json_real(m->lin.intercept));
		json_object_set_new(p, "coef", numbers(m->lin.coef, m->nfeat));
		json_object_set_new(p, "scaling", json_pack("{s:o, s:o}", "mean",
							     numbers(m->lin.mean, m->nfeat), "sd",
							     numbers(m->lin.sd, m->nfeat)));
		json_object_set_new(p, "beta", numbers(m->lin.beta, m->nfeat));
		if (m->kind == SP_MODEL_LOGISTIC) {
			json_object_set_new(p, "up_mean", sp_json_real(m->lin.up_mean));
			json_object_set_new(p, "down_mean", sp_json_real(m->lin.down_mean));
		}
		break;
	case SP_MODEL_GBDT: {
		size_t len;
		char *text = sp_gbdt_save_json(m->gbdt, &len);
		json_error_t err;
		json_t *b = text ? json_loadb(text, len, 0, &err) : NULL;
		free(text);
		if (!b) {
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, "booster", b);
		break;
	}
	case SP_MODEL_ENSEMBLE: {
		json_t *a = json_array();
		for (size_t k = 0; k < m->nmembers; k++) {
			json_t *mem = json_object();
			json_object_set_new(mem, "kind",
					    json_string(kind_names[m->members[k]->kind]));
			json_object_set_new(mem, "weight", sp_json_real(m->weights[k]));
			json_object_set_new(mem, "params", params_json(m->members[k]));
			json_array_append_new(a, mem);
		}
		json_object_set_new(p, "members", a);
		break;
	}
	}
	return p;
}

/* What the model does with a missing value, in words, for the file. */
static const char *missing_rule(const struct sp_model *m, char *buf, size_t n)
{
	if (m->kind == SP_MODEL_GBDT)
		return "missing values go down XGBoost's learned default branch";
	if (m->kind != SP_MODEL_NAIVE)
		return "a row with a missing feature gets no prediction";
	if (m->rule != SP_NAIVE_MOMENTUM)
		return "reads no feature";
	snprintf(buf, n, "a row without %s gets no prediction", m->feat[0]);
	return buf;
}

json_t *sp_model_to_json(const struct sp_model *m)
{
	char buf[96];
	json_t *o = json_object(), *feat = json_array(), *params = params_json(m);

	if (!o || !feat || !params) {
		json_decref(o);
		json_decref(feat);
		json_decref(params);
		sp_error("cannot build the model's JSON");
		return NULL;
	}
	for (size_t j = 0; j < m->nfeat; j++)
		json_array_append_new(feat, json_string(m->feat[j]));
	json_object_set_new(o, "format", json_string(FORMAT_NAME));
	json_object_set_new(o, "format_version", json_integer(FORMAT_VERSION));
	json_object_set_new(o, "kind", json_string(kind_names[m->kind]));
	json_object_set_new(o, "features", feat);
	json_object_set_new(o, "target", json_string(m->target));
	json_object_set_new(o, "horizon", json_integer(m->horizon));
	json_object_set_new(o, "missing", json_string(missing_rule(m, buf, sizeof(buf))));
	json_object_set_new(o, "signal",
			    json_pack("{s:s, s:o, s:o}", "on",
				      m->kind == SP_MODEL_LOGISTIC ? "probability" : "pred_return",
				      "buy", sp_json_real(m->buy), "sell", sp_json_real(m->sell)));
	json_object_set_new(o, "interval",
			    json_pack("{s:o, s:o}", "coverage", sp_json_real(m->coverage),
				      "half_width", sp_json_real(m->half_width)));
	json_object_set_new(o, "params", params);
	return o;
}

/* ---- from JSON ------------------------------------------------------------------ */

struct ctx {
	const char *path;
	int bad;
};

static double need_num(struct ctx *c, const json_t *obj, const char *key)
{
	double v = sp_json_num(obj, key);

	if (isnan(v) && !c->bad) {
		sp_error("%s: model: '%s' missing or not a number", c->path, key);
		c->bad = 1;
	}
	return v;
}

static int need_array(struct ctx *c, const json_t *obj, const char *key, double *out, size_t n)
{
	json_t *a = json_object_get(obj, key);

	if (!json_is_array(a) || json_array_size(a) != n) {
		if (!c->bad)
			sp_error("%s: model: '%s' is not an array of %zu numbers", c->path, key, n);
		c->bad = 1;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_number(v)) {
			if (!c->bad)
				sp_error("%s: model: '%s'[%zu] is not a number", c->path, key, i);
			c->bad = 1;
			return -1;
		}
		out[i] = json_number_value(v);
	}
	return 0;
}

static int params_from(struct ctx *c, struct sp_model *m, const json_t *p);

static int per_symbol_from(struct ctx *c, struct sp_model *m, const json_t *all)
{
	const char *sym, *prev = NULL;
	json_t *one;

	if (!json_is_object(all))
		return sp_error("%s: model: 'per_symbol' is not an object", c->path);
	json_object_foreach((json_t *)all, sym, one) {
		struct sp_model *sub = sp_model_new(m->kind, (const char *const *)m->feat, m->nfeat,
						    m->target, m->horizon, m->logret);
		if (!sub)
			return -1;
		sub->half_width = sp_json_num(one, "half_width");
		sub->buy = m->buy;
		sub->sell = m->sell;
		if (prev && strcmp(prev, sym) >= 0) {
			sp_model_free(sub);
			return sp_error("%s: model: per_symbol keys not in order at '%s'", c->path,
					sym);
		}
		if (params_from(c, sub, json_object_get(one, "params")) < 0 ||
		    sp_model_add_symbol(m, sym, sub) < 0) {
			sp_model_free(sub);
			return -1;
		}
		prev = sym;
	}
	if (!m->nsymbols)
		return sp_error("%s: model: 'per_symbol' is empty", c->path);
	return 0;
}

static int params_from(struct ctx *c, struct sp_model *m, const json_t *p)
{
	if (!json_is_object(p))
		return sp_error("%s: model: no 'params' object", c->path);
	if (json_object_get(p, "per_symbol"))
		return per_symbol_from(c, m, json_object_get(p, "per_symbol"));
	switch (m->kind) {
	case SP_MODEL_NAIVE: {
		const char *rule = json_string_value(json_object_get(p, "rule"));
		size_t i;
		for (i = 0; rule && i < sizeof(rule_names) / sizeof(*rule_names); i++)
			if (!strcmp(rule, rule_names[i]))
				break;
		if (!rule || i == sizeof(rule_names) / sizeof(*rule_names))
			return sp_error("%s: model: naive 'rule' must be zero, mean or momentum",
					c->path);
		m->rule = (enum sp_naive_rule)i;
		if (m->rule == SP_NAIVE_MEAN)
			m->mean = need_num(c, p, "mean");
		if (m->rule == SP_NAIVE_MOMENTUM && m->nfeat != 1)
			return sp_error("%s: model: naive momentum reads one feature", c->path);
		break;
	}
	case SP_MODEL_RIDGE:
	case SP_MODEL_LOGISTIC: {
		json_t *sc = json_object_get(p, "scaling");
		m->lin.alpha = need_num(c, p, "alpha");
		m->lin.intercept = need_num(c, p, "intercept");
		need_array(c, p, "coef", m->lin.coef, m->nfeat);
		need_array(c, p, "beta", m->lin.beta, m->nfeat);
		need_array(c, sc, "mean", m->lin.mean, m->nfeat);
		need_array(c, sc, "sd", m->lin.sd, m->nfeat);
		if (m->kind == SP_MODEL_LOGISTIC) {
			m->lin.up_mean = need_num(c, p, "up_mean");
			m->lin.down_mean = need_num(c, p, "down_mean");
		}
		break;
	}
	case SP_MODEL_GBDT: {
		json_t *b = json_object_get(p, "booster");
		char *text = json_is_object(b) ? json_dumps(b, JSON_COMPACT) : NULL;
		if (!text)
			return sp_error("%s: model: no 'booster' object", c->path);
		m->gbdt = sp_gbdt_load_json(text, strlen(text));
		free(text);
		if (!m->gbdt)
			return sp_error("%s: model: the booster does not load", c->path);
		if (sp_gbdt_nfeat(m->gbdt) != m->nfeat)
			return sp_error("%s: model: the booster reads %zu features, not %zu",
					c->path, sp_gbdt_nfeat(m->gbdt), m->nfeat);
		break;
	}
	case SP_MODEL_ENSEMBLE: {
		json_t *a = json_object_get(p, "members");
		size_t n = json_array_size(a);
		if (!n)
			return sp_error("%s: model: ensemble without 'members'", c->path);
		if (!(m->members = calloc(n, sizeof(*m->members))) ||
		    !(m->weights = calloc(n, sizeof(double))))
			return sp_error("out of memory");
		for (size_t k = 0; k < n; k++) {
			json_t *mem = json_array_get(a, k);
			enum sp_model_kind kind;
			const char *kn = json_string_value(json_object_get(mem, "kind"));
			if (!kn || sp_model_kind_parse(kn, &kind) || kind == SP_MODEL_ENSEMBLE)
				return sp_error("%s: model: member %zu: bad kind", c->path, k);
			if (!(m->members[k] = sp_model_new(kind, (const char *const *)m->feat,
							   m->nfeat, m->target, m->horizon,
							   m->logret)))
				return -1;
			m->nmembers++;
			m->weights[k] = need_num(c, mem, "weight");
			if (params_from(c, m->members[k], json_object_get(mem, "params")) < 0)
				return -1;
		}
		break;
	}
	}
	return c->bad ? -1 : 0;
}

/* "name@version" from a registry, the name alone, or the kind. */
static int set_label(struct sp_model *m, const json_t *doc)
{
	const char *name = json_string_value(json_object_get(doc, "name"));
	json_t *version = json_object_get(doc, "version");
	char buf[160];

	if (name && json_is_integer(version))
		snprintf(buf, sizeof(buf), "%s@%lld", name, (long long)json_integer_value(version));
	else
		snprintf(buf, sizeof(buf), "%s", name ? name : kind_names[m->kind]);
	if (!(m->label = strdup(buf)))
		return sp_error("out of memory");
	return 0;
}

struct sp_model *sp_model_load(const char *path)
{
	struct ctx c = { path, 0 };
	json_t *doc = sp_json_load(path), *feat, *sig, *iv;
	const char *format, *kind, *target;
	enum sp_model_kind k;
	struct sp_model *m = NULL;
	const char **names = NULL;
	int logret, horizon;
	size_t n;

	if (!doc)
		return NULL;
	format = json_string_value(json_object_get(doc, "format"));
	kind = json_string_value(json_object_get(doc, "kind"));
	target = json_string_value(json_object_get(doc, "target"));
	feat = json_object_get(doc, "features");
	if (!format || strcmp(format, FORMAT_NAME)) {
		sp_error("%s: not an sp model file (no \"format\": \"" FORMAT_NAME "\")", path);
		goto fail;
	}
	if (sp_json_num(doc, "format_version") != FORMAT_VERSION) {
		sp_error("%s: model format version %g; this sp-predict reads version %d", path,
			 sp_json_num(doc, "format_version"), FORMAT_VERSION);
		goto fail;
	}
	if (!kind || sp_model_kind_parse(kind, &k)) {
		sp_error("%s: model: unknown kind '%s'", path, kind ? kind : "");
		goto fail;
	}
	if (!target || !(horizon = sp_target_horizon(target, &logret))) {
		sp_error("%s: model: bad or missing 'target'", path);
		goto fail;
	}
	if (!json_is_array(feat)) {
		sp_error("%s: model: no 'features' array", path);
		goto fail;
	}
	n = json_array_size(feat);
	if (!(names = calloc(n + 1, sizeof(*names)))) {
		sp_error("out of memory");
		goto fail;
	}
	for (size_t j = 0; j < n; j++) {
		if (!(names[j] = json_string_value(json_array_get(feat, j)))) {
			sp_error("%s: model: features[%zu] is not a string", path, j);
			goto fail;
		}
	}
	if (!(m = sp_model_new(k, names, n, target, horizon, logret)))
		goto fail;
	sig = json_object_get(doc, "signal");
	iv = json_object_get(doc, "interval");
	m->buy = sp_json_num(sig, "buy");
	m->sell = sp_json_num(sig, "sell");
	m->coverage = sp_json_num(iv, "coverage");
	m->half_width = sp_json_num(iv, "half_width");
	if (params_from(&c, m, json_object_get(doc, "params")) < 0)
		goto fail;
	for (size_t i = 0; i < m->nsymbols; i++) {
		m->by_symbol[i]->buy = m->buy;
		m->by_symbol[i]->sell = m->sell;
	}
	if (set_label(m, doc) < 0)
		goto fail;
	m->doc = doc;
	free(names);
	return m;
fail:
	free(names);
	sp_model_free(m);
	json_decref(doc);
	return NULL;
}
