/*
 * ind.c - the indicator registry: spec tokens parsed into configured
 * indicators, column names, the layout of their state, dispatch, lags and
 * the catalogue.  The indicators themselves are in lib/ind-ma.c and
 * lib/ind-osc.c, their building blocks in lib/ind-parts.c.
 */
#include "ind-impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "banned.h"

#define MAX_TOKEN 256		/* no real spec token comes near */
#define MAX_LAG_DEPTH 4		/* lag:lag:...: enough for any use, bounds recursion */

struct lag_state {
	int64_t seen;
	int32_t pos, pad;
	double ring[];		/* the last L bars' outputs, nout per bar */
};

static void lag_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out);

static const struct ind_kind lag_kind = {
	"lag", "lag:TOKEN:L", 0, { { 0 } }, { NULL },
	NULL, NULL, lag_update,
	"lag:TOKEN:L -> each column of TOKEN with _lag_L appended "
	"(lag:rsi:14:1 -> rsi_14_lag_1; lag:macd:12:26:9:1 -> macd_12_26_9_lag_1, "
	"macd_signal_12_26_9_lag_1, macd_hist_12_26_9_lag_1).  The value TOKEN "
	"had L bars earlier, for L from 1 to 100000; TOKEN is any other spec "
	"token, a lag too (up to 4 deep).  Warm-up TOKEN's warm-up + L bars.",
};

static const struct ind_kind *const kinds[] = {
	&ind_kind_ret, &ind_kind_logret, &ind_kind_roc, &ind_kind_mom,
	&ind_kind_sma, &ind_kind_ema, &ind_kind_wma, &ind_kind_macd,
	&ind_kind_bb, &ind_kind_vol, &ind_kind_rsi, &ind_kind_stoch,
	&ind_kind_willr, &ind_kind_cci, &ind_kind_mfi, &ind_kind_adx,
	&ind_kind_tr, &ind_kind_atr, &ind_kind_obv, &ind_kind_vzscore,
	&ind_kind_gap, &ind_kind_hlrange, &ind_kind_dhigh, &ind_kind_dlow,
	&ind_kind_dow, &lag_kind,
};

#define NKINDS ((int)(sizeof(kinds) / sizeof(kinds[0])))

const char *sp_ind_describe(int i)
{
	return i >= 0 && i < NKINDS ? kinds[i]->doc : NULL;
}

int ind_add_part(struct sp_ind *ind, enum ind_part_type type, int n, int flags)
{
	struct ind_part *p;

	if (ind->npart == IND_MAX_PART)
		abort();	/* a kind's setup asked for too many: a bug here */
	p = &ind->part[ind->npart];
	p->type = type;
	p->n = n;
	p->flags = flags;
	return ind->npart++;
}

void sp_ind_free(struct sp_ind *ind)
{
	if (!ind)
		return;
	for (int k = 0; k < ind->nout; k++)
		free(ind->name[k]);
	sp_ind_free(ind->inner);
	free(ind);
}

/* ---- parsing ---- */

static int is_digits(const char *s, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/*
 * An integer parameter: plain digits, no sign or spaces.  Long digit
 * strings are out of range rather than an overflow.
 */
static int parse_int(const char *kind, const char *what, const char *s, size_t len,
		     int min, int *v, char *err, size_t errlen)
{
	long n = 0;

	if (!is_digits(s, len)) {
		snprintf(err, errlen, "%s: %s must be an integer, not '%.*s'", kind, what,
			 (int)len, s);
		return -1;
	}
	for (size_t i = 0; i < len && n <= IND_MAX_WINDOW; i++)
		n = n * 10 + (s[i] - '0');
	if (n < min || n > IND_MAX_WINDOW) {
		snprintf(err, errlen, "%s: %s must be %d to %d, not %.*s", kind, what, min,
			 IND_MAX_WINDOW, (int)len, s);
		return -1;
	}
	*v = (int)n;
	return 0;
}

/*
 * A positive real written as digits with at most one point, so that its
 * column-name form needs no exponent: "2", "2.5", ".5".  The name drops
 * leading and trailing zeros ("2.50" -> "2.5", "02" -> "2", "2.0" -> "2").
 */
static int parse_real(struct sp_ind *ind, const char *what, const char *s, size_t len,
		      char *err, size_t errlen)
{
	char buf[sizeof(ind->ktext)];
	const char *dot = memchr(s, '.', len);
	size_t ilen = dot ? (size_t)(dot - s) : len;
	size_t flen = dot ? len - ilen - 1 : 0;

	if (len >= sizeof(buf) || (!ilen && !flen) || (ilen && !is_digits(s, ilen)) ||
	    (flen && !is_digits(dot + 1, flen)))
		goto bad;
	memcpy(buf, s, len);
	buf[len] = '\0';
	ind->k = strtod(buf, NULL);
	if (!(ind->k > 0) || !isfinite(ind->k))
		goto bad;

	while (ilen > 1 && *s == '0')
		s++, ilen--;
	while (flen && dot[flen] == '0')
		flen--;
	snprintf(ind->ktext, sizeof(ind->ktext), "%.*s%s%.*s", ilen ? (int)ilen : 1,
		 ilen ? s : "0", flen ? "." : "", (int)flen, dot ? dot + 1 : "");
	return 0;
bad:
	snprintf(err, errlen, "%s: %s must be a positive number such as 2 or 2.5, not '%.*s'",
		 ind->kind->name, what, (int)len, s);
	return -1;
}

static int set_name(struct sp_ind *ind, int k, const char *text)
{
	ind->name[k] = strdup(text);
	return ind->name[k] ? 0 : -1;
}

/* Column names: the stem, then every parameter ("macd_signal_12_26_9"). */
static int make_names(struct sp_ind *ind, char *err, size_t errlen)
{
	const struct ind_kind *kind = ind->kind;
	char buf[128];

	for (int k = 0; k < IND_MAX_OUT && kind->out[k]; k++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "%s", kind->out[k]);
		for (int i = 0; i < kind->nparam && n < sizeof(buf); i++) {
			if (kind->param[i].real)
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "_%s", ind->ktext);
			else
				n += (size_t)snprintf(buf + n, sizeof(buf) - n, "_%d", ind->p[i]);
		}
		ind->nout = k + 1;
		if (set_name(ind, k, buf)) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Offsets of the parts after the kind's scalars, each 8-aligned. */
static void lay_out(struct sp_ind *ind)
{
	size_t off = align8(ind->scalars);

	for (int i = 0; i < ind->npart; i++) {
		struct ind_part *p = &ind->part[i];
		size_t size = 0;

		p->off = off;
		switch (p->type) {
		case PART_WIN:
			size = ind_win_size(p->n);
			break;
		case PART_MONO:
			size = ind_mono_size(p->n);
			break;
		case PART_SMOOTH:
			size = sizeof(struct ind_smooth);
			break;
		case PART_IND:
			size = ind->inner->size;
			break;
		}
		off += align8(size);
	}
	ind->size = off ? off : 8;
}

static struct sp_ind *parse(const char *s, size_t len, int depth, char *err, size_t errlen);

/* lag:TOKEN:L, L being the last field so that TOKEN keeps its own colons. */
static struct sp_ind *parse_lag(const char *s, size_t len, int depth, char *err,
				size_t errlen)
{
	const char *body = s + 4, *last = NULL;
	size_t blen = len > 4 ? len - 4 : 0;
	char inner_err[256], buf[160];
	struct sp_ind *ind;
	int lag;

	if (depth >= MAX_LAG_DEPTH) {
		snprintf(err, errlen, "lag: nested more than %d deep", MAX_LAG_DEPTH);
		return NULL;
	}
	for (size_t i = 0; i < blen; i++)
		if (body[i] == ':')
			last = body + i;
	if (!blen || !last) {
		snprintf(err, errlen, "lag: needs an indicator and a lag, as lag:TOKEN:L "
			 "(lag:rsi:14:1), not '%.*s'", (int)len, s);
		return NULL;
	}
	if (parse_int("lag", "lag L", last + 1, (size_t)(body + blen - last - 1), 1, &lag,
		      err, errlen))
		return NULL;
	ind = calloc(1, sizeof(*ind));
	if (!ind) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ind->kind = &lag_kind;
	ind->p[0] = lag;
	ind->inner = parse(body, (size_t)(last - body), depth + 1, inner_err, sizeof(inner_err));
	if (!ind->inner) {
		snprintf(err, errlen, "lag: %s", inner_err);
		goto fail;
	}
	ind->nout = ind->inner->nout;
	for (int k = 0; k < ind->nout; k++) {
		snprintf(buf, sizeof(buf), "%s_lag_%d", ind->inner->name[k], lag);
		if (set_name(ind, k, buf)) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	ind->warmup = ind->inner->warmup + lag;
	ind->scalars = sizeof(struct lag_state) + (size_t)lag * ind->nout * sizeof(double);
	ind_add_part(ind, PART_IND, 0, 0);
	lay_out(ind);
	return ind;
fail:
	sp_ind_free(ind);
	return NULL;
}

static struct sp_ind *parse(const char *s, size_t len, int depth, char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', len), *end = s + len, *p;
	size_t nlen = colon ? (size_t)(colon - s) : len;
	const struct ind_kind *kind = NULL;
	struct sp_ind *ind;
	int np = 0;

	if (nlen == 3 && !memcmp(s, "lag", 3))
		return parse_lag(s, len, depth, err, errlen);
	for (int i = 0; i < NKINDS && !kind; i++)
		if (strlen(kinds[i]->name) == nlen && !memcmp(kinds[i]->name, s, nlen))
			kind = kinds[i];
	if (!kind) {
		if (nlen)
			snprintf(err, errlen, "unknown indicator '%.*s'", (int)nlen, s);
		else
			snprintf(err, errlen, "missing indicator name in '%.*s'", (int)len, s);
		return NULL;
	}
	ind = calloc(1, sizeof(*ind));
	if (!ind) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ind->kind = kind;

	for (p = colon ? colon + 1 : NULL; p; np++) {
		const char *next = memchr(p, ':', (size_t)(end - p));
		size_t plen = next ? (size_t)(next - p) : (size_t)(end - p);
		const struct ind_param *par = &kind->param[np];

		if (np == kind->nparam) {
			snprintf(err, errlen, "%s: unexpected parameter '%.*s' (syntax %s)",
				 kind->name, (int)plen, p, kind->syntax);
			goto fail;
		}
		if (!plen) {
			snprintf(err, errlen, "%s: empty %s (syntax %s)", kind->name, par->what,
				 kind->syntax);
			goto fail;
		}
		if (par->real ? parse_real(ind, par->what, p, plen, err, errlen)
			      : parse_int(kind->name, par->what, p, plen, par->min, &ind->p[np],
					  err, errlen))
			goto fail;
		p = next ? next + 1 : NULL;
	}
	for (; np < kind->nparam; np++) {
		const struct ind_param *par = &kind->param[np];

		if (par->real && par->rdef > 0) {
			ind->k = par->rdef;
			snprintf(ind->ktext, sizeof(ind->ktext), "%g", par->rdef);
		} else if (!par->real && par->def) {
			ind->p[np] = par->def;
		} else {
			snprintf(err, errlen, "%s: missing %s (syntax %s)", kind->name, par->what,
				 kind->syntax);
			goto fail;
		}
	}
	if (kind->setup(ind, err, errlen) || make_names(ind, err, errlen))
		goto fail;
	lay_out(ind);
	return ind;
fail:
	sp_ind_free(ind);
	return NULL;
}

struct sp_ind *sp_ind_new(const char *token, char *err, size_t errlen)
{
	size_t len = token ? strlen(token) : 0;

	if (errlen)
		err[0] = '\0';
	if (!len) {
		snprintf(err, errlen, "empty indicator");
		return NULL;
	}
	if (len > MAX_TOKEN) {
		snprintf(err, errlen, "indicator '%.24s...' is longer than %d characters", token,
			 MAX_TOKEN);
		return NULL;
	}
	return parse(token, len, 0, err, errlen);
}

/* ---- queries, state, dispatch ---- */

int sp_ind_outputs(const struct sp_ind *ind)
{
	return ind->nout;
}

const char *sp_ind_output_name(const struct sp_ind *ind, int k)
{
	return k >= 0 && k < ind->nout ? ind->name[k] : NULL;
}

int sp_ind_warmup(const struct sp_ind *ind)
{
	return ind->warmup;
}

size_t sp_ind_state_size(const struct sp_ind *ind)
{
	return ind->size;
}

void sp_ind_state_init(const struct sp_ind *ind, void *state)
{
	memset(state, 0, ind->size);
	for (int i = 0; i < ind->npart; i++) {
		const struct ind_part *p = &ind->part[i];
		void *at = (char *)state + p->off;

		switch (p->type) {
		case PART_WIN:
			ind_win_init(at, p->n, p->flags);
			break;
		case PART_MONO:
			ind_mono_init(at, p->n, p->flags);
			break;
		case PART_SMOOTH:
			ind_smooth_init(at, p->n, p->flags);
			break;
		case PART_IND:
			sp_ind_state_init(ind->inner, at);
			break;
		}
	}
	if (ind->kind->init)
		ind->kind->init(ind, state);
}

/*
 * The one place outputs leave the library: whatever a formula made of an
 * edge case (a zero divisor, an overflow) leaves as NAN, never infinity;
 * and -0 becomes 0, so that no column ever prints "-0".
 */
void sp_ind_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		   double *out)
{
	ind->kind->update(ind, state, bar, out);
	for (int k = 0; k < ind->nout; k++) {
		if (!isfinite(out[k]))
			out[k] = NAN;
		else if (out[k] == 0)
			out[k] = 0;
	}
}

static void lag_update(const struct sp_ind *ind, void *state, const struct sp_ind_bar *bar,
		       double *out)
{
	struct lag_state *st = state;
	int n = ind->nout, lag = ind->p[0];
	double now[IND_MAX_OUT], *slot = st->ring + (size_t)st->pos * n;

	sp_ind_update(ind->inner, ind_part(ind, state, 0), bar, now);
	for (int k = 0; k < n; k++) {
		out[k] = st->seen >= lag ? slot[k] : NAN;
		slot[k] = now[k];
	}
	st->pos = st->pos + 1 == lag ? 0 : st->pos + 1;
	st->seen++;
}
