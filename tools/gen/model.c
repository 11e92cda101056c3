/*
 * model.c - the generator's in-memory model: the senders it imitates
 * (docs/quirks.md, section J), the policy domains, and one
 * report built from (seed, sender, domain, day).
 *
 * Input is trusted (the validated command line). Every report draws from
 * its own PRNG stream, so the same (seed, sender, domain, day) always gives
 * the same report, whatever else is generated: re-sends are regenerated
 * rather than kept, and --max-reports cuts a run without changing what
 * came before the cut.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void domain_name(char *out, size_t outlen, int i)
{
	static const char *const first[] = {"example.com", "example.net", "example.org"};

	if (i < 3)
		snprintf(out, outlen, "%s", first[i]);
	else
		snprintf(out, outlen, "example-%d.test", i + 1);
}

/* Domain i's policy, MX hosts, traffic and incident. The first three are
 * fixed so that small runs show every shape: example.com (MTA-STS and
 * DANE, the busiest), example.net (MTA-STS), example.org (no policy). */
void model_init_domain(struct gen *g, int i, const char *name, int extra)
{
	struct gen_domain *d = &g->dom[i];
	struct rng r = rng_for(g->seed, (uint64_t)i, 0, 0, 0xd0);
	char host[300];
	int j, k;

	memset(d, 0, sizeof(*d));
	d->name = gen_xstrdup(name);
	d->extra = extra;
	if (i == 0) {
		d->type = DOM_STS;
		d->dane = 1;
		d->weight = 1.0;
	} else if (i == 1) {
		d->type = DOM_STS;
		d->weight = 0.5;
	} else if (i == 2) {
		d->type = DOM_NPF;
		d->weight = 0.25;
	} else {
		d->type = rng_unit(&r) < 0.15 ? DOM_NPF : DOM_STS;
		d->dane = d->type == DOM_STS && rng_unit(&r) < 0.35;
		d->weight = 0.1 + 0.9 * rng_unit(&r) * rng_unit(&r);
	}
	if (extra) {
		d->type = DOM_STS;
		d->dane = 0;
		d->weight = 0.3;
	}
	d->wildcard = i % 4 == 3;
	d->crlf = i % 3 == 1;
	d->maxage_first = i % 5 == 2;
	d->testing = rng_unit(&r) < 0.2;
	d->max_age = (int64_t)(rng_unit(&r) < 0.5 ? 604800 : 2592000);
	d->n_mx = extra ? 0 : 1 + (int)rng_below(&r, 3);
	if (i < 2 && !extra)
		d->n_mx = 2;
	for (j = 0; j < d->n_mx; j++) {
		snprintf(host, sizeof(host), "mx%d.%s", j + 1, name);
		d->mx[j] = strtab_intern(&g->mx, host);
	}
	if (!extra && d->n_mx > 0 && rng_unit(&r) < 0.5) {
		d->inc_day = g->start_day + (int64_t)rng_below(&r, (uint64_t)g->days);
		d->inc_len = 1 + (int)rng_below(&r, 3);
		d->inc_mx = (int)rng_below(&r, (uint64_t)d->n_mx);
		d->inc_rt =
		    d->type == DOM_NPF ? RT_STARTTLS : (int)rng_pick(&r, w_incident, N_RT_REGISTRY);
		d->inc_rate = 0.02 + 0.10 * rng_unit(&r);
	}
	d->tlsa_usage = rng_unit(&r) < 0.5 ? 2 : 3;
	for (j = 0; j < 2; j++)
		for (k = 0; k < 4; k++)
			d->tlsa[j][k] = rng_next(&r);
}

/* 1 when a spike names (dom, day); spikes are sorted by (dom, day). */
static size_t model_spike_first(const struct gen *g, int dom, int64_t day)
{
	size_t lo = 0, hi = g->n_spike;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct gen_spike *s = &g->spike[mid];

		if (s->dom < dom || (s->dom == dom && s->day < day))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int model_has_spike(const struct gen *g, int dom, int64_t day)
{
	size_t i = model_spike_first(g, dom, day);

	return i < g->n_spike && g->spike[i].dom == dom && g->spike[i].day == day;
}

/* Does sender s report domain dom for this day? Google always does when a
 * spike asks for its report. */
int model_present(const struct gen *g, int s, int dom, int64_t day)
{
	struct rng r = rng_for(g->seed, (uint64_t)day, (uint64_t)dom, (uint64_t)s, 1);

	if (g->snd[s].style == S_GOOGLE && model_has_spike(g, dom, day))
		return 1;
	return rng_unit(&r) < g->snd[s].presence;
}

/* A non-negative count with the given mean, rounded at random. */
static int64_t draw_count(struct rng *r, double mean)
{
	double x = mean * 2.0 * rng_unit(r);
	int64_t n = (int64_t)x;

	if (rng_unit(r) < x - (double)n)
		n++;
	return n;
}

static struct gen_policy *report_add_policy(struct gen_report *r, int type, int dom)
{
	struct gen_policy *p = &r->pol[r->npol++];

	p->type = type;
	p->dom = dom;
	p->variant = 0;
	p->no_string = 0;
	p->ok = 0;
	p->fail = 0;
	p->n = 0;
	return p;
}

/* Adds a detail, merging it into an equal (rt, mx, ip) one: a sender lists
 * each combination once. */
static void policy_add_detail(struct gen_policy *p, const struct gen_detail *x)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct gen_detail *y = &p->d[i];

		if (y->rt == x->rt && y->mx == x->mx && y->ipkind == x->ipkind && y->ip == x->ip &&
		    y->reason == x->reason) {
			y->count += x->count;
			p->fail += x->count;
			return;
		}
	}
	if (p->n == p->cap) {
		p->d = gen_xgrow(p->d, p->n * sizeof(*p->d),
		                 (p->cap ? p->cap * 2 : 8) * sizeof(*p->d));
		p->cap = p->cap ? p->cap * 2 : 8;
	}
	p->d[p->n++] = *x;
	p->fail += x->count;
}

/* One failure detail of count sessions, shaped the way sender s writes it. */
static void model_detail(const struct gen *g, const struct gen_report *r, struct rng *rng, int rt,
                         int mx, int64_t count, struct gen_detail *x)
{
	const struct gen_sender *s = &g->snd[r->sender];

	memset(x, 0, sizeof(*x));
	x->rt = rt;
	x->mx = mx;
	x->reason = -1;
	x->count = count;
	if (s->ip6_group != 0 && rng_unit(rng) < 0.3) {
		x->ipkind = 6;
		x->ip = s->ip6_base + (uint32_t)rng_below(rng, s->ip4_count);
	} else {
		x->ipkind = 4;
		x->ip = s->ip4_base + (uint32_t)rng_below(rng, s->ip4_count);
	}
	x->rip = (r->style == S_GOOGLE || r->style == S_YAHOO) && mx >= 0;
	if (rt == RT_STS_FETCH && (r->style == S_MAILRU || r->style == S_MICROSOFT)) {
		/* quirks E2: no sending-mta-ip, no receiving-mx-hostname */
		x->ipkind = 0;
		x->ip = 0;
		x->mx = -1;
		x->rip = 0;
	}
	if (r->style == S_MAILRU && rt == RT_STS_FETCH)
		x->reason = (int)rng_below(rng, 3);
}

/* Fills p with S sessions: an incident at one MX if one is under way, then
 * a baseline of failures drawn from weights. ok = S - failures. */
static void model_fill(const struct gen *g, const struct gen_report *r, struct gen_policy *p,
                       struct rng *rng, int64_t S, double rate, const unsigned *weights)
{
	const struct gen_domain *d = &g->dom[r->dom];
	struct gen_detail x;
	int64_t left = S, f, c;
	int k, i, mx;

	if (d->inc_len > 0 && r->day >= d->inc_day && r->day < d->inc_day + d->inc_len &&
	    weights[d->inc_rt] > 0) {
		f = draw_count(rng, (double)S * d->inc_rate);
		if (f > left)
			f = left;
		if (f > 0) {
			model_detail(g, r, rng, d->inc_rt, d->mx[d->inc_mx], f, &x);
			policy_add_detail(p, &x);
			left -= f;
		}
	}
	f = draw_count(rng, (double)S * rate);
	if (f > left)
		f = left;
	k = 1 + (int)rng_below(rng, 4);
	if (k > f)
		k = (int)f;
	for (i = 0; i < k; i++) {
		c = i == k - 1 ? f : 1 + (int64_t)rng_below(rng, (uint64_t)(f - (k - 1 - i)));
		f -= c;
		mx = d->n_mx > 0 ? d->mx[rng_below(rng, (uint64_t)d->n_mx)] : -1;
		model_detail(g, r, rng, (int)rng_pick(rng, weights, N_RT_REGISTRY), mx, c, &x);
		policy_add_detail(p, &x);
	}
	p->ok = S - p->fail;
}

/* Sessions sender s had with domain d on day. Weekends are quieter. */
static int64_t model_sessions(const struct gen_domain *d, const struct gen_sender *snd, int64_t day,
                              struct rng *rng)
{
	int dow = day_of_week(day);
	double mean = snd->volume * d->weight * (dow == 0 || dow == 6 ? 0.75 : 1.0);
	int64_t n = (int64_t)(mean * (0.6 + 0.8 * rng_unit(rng)) + 0.5);

	return n < 1 ? 1 : n;
}

/* Microsoft's tlsa view of the same sessions: the sts view's figures and
 * details, plus on some days DANE-only failures that make the two views
 * differ (the count-once rule then takes the larger, docs/counting.md). */
static void model_tlsa_view(const struct gen *g, const struct gen_report *r,
                            const struct gen_policy *sts, struct gen_policy *p, struct rng *rng,
                            int64_t S)
{
	struct gen_detail x;
	const struct gen_domain *d = &g->dom[r->dom];
	size_t i;
	int64_t f;

	/* the same sessions fail, except where the failure is MTA-STS's own */
	for (i = 0; i < sts->n; i++)
		if (sts->d[i].rt != RT_STS_FETCH && sts->d[i].rt != RT_STS_INVALID &&
		    sts->d[i].rt != RT_STS_WEBPKI)
			policy_add_detail(p, &sts->d[i]);
	if (rng_unit(rng) < 0.2 && d->n_mx > 0) {
		f = draw_count(rng, (double)S * g->snd[r->sender].fail_rate);
		if (f > S - p->fail)
			f = S - p->fail;
		if (f > 0) {
			model_detail(g, r, rng, (int)rng_pick(rng, w_tlsa, N_RT_REGISTRY),
			             d->mx[rng_below(rng, (uint64_t)d->n_mx)], f, &x);
			policy_add_detail(p, &x);
		}
	}
	p->ok = S - p->fail;
}

/* Adds every spike for (r->dom, r->day) to the first sts policy (or the
 * first policy) of a Google report. */
static void model_apply_spikes(const struct gen *g, struct gen_report *r, struct rng *rng)
{
	struct gen_policy *p = &r->pol[0];
	struct gen_detail x;
	size_t i;
	int j;

	for (j = 0; j < r->npol; j++) {
		if (r->pol[j].type == P_STS) {
			p = &r->pol[j];
			break;
		}
	}
	for (i = model_spike_first(g, r->dom, r->day);
	     i < g->n_spike && g->spike[i].dom == r->dom && g->spike[i].day == r->day; i++) {
		model_detail(g, r, rng, g->spike[i].rt, g->spike[i].mx, g->spike[i].count, &x);
		policy_add_detail(p, &x);
	}
}

/* Builds sender s's report for domain dom and day into r (whose detail
 * arrays are reused from one report to the next). */
void model_build(const struct gen *g, int s, int dom, int64_t day, struct gen_report *r)
{
	const struct gen_domain *d = &g->dom[dom];
	const struct gen_sender *snd = &g->snd[s];
	struct rng rng = rng_for(g->seed, (uint64_t)day, (uint64_t)dom, (uint64_t)s, 2);
	struct gen_policy *p, *q;
	int64_t S, S1;
	int st = snd->style;

	r->sender = s;
	r->style = st;
	r->dom = dom;
	r->day = day;
	r->start = day * 86400;
	r->end = r->start + (snd->next_midnight ? 86400 : 86399);
	r->zulu = !(st == S_MICROSOFT && rng_unit(&rng) < 0.3);
	r->sent = r->start + 86400 + 600 + (int64_t)rng_below(&rng, 6 * 3600);
	r->rnd = rng_next(&rng);
	r->key = ((uint64_t)day << 28) | ((uint64_t)s << 20) | (uint64_t)dom;
	r->npol = 0;
	S = model_sessions(d, snd, day, &rng);

	if (d->type == DOM_NPF) {
		p = report_add_policy(r, P_NPF, st == S_POSTFIX ? -1 : dom);
		model_fill(g, r, p, &rng, S, snd->fail_rate * 0.25, w_npf);
	} else if (st == S_GOOGLE) {
		if (rng_unit(&rng) < 0.03) {
			/* the policy changed during the day: two sts policies */
			S1 = 1 + (int64_t)((double)(S - 1) * (0.2 + 0.6 * rng_unit(&rng)));
			p = report_add_policy(r, P_STS, dom);
			model_fill(g, r, p, &rng, S1, snd->fail_rate, w_sts);
			if (S > S1) {
				q = report_add_policy(r, P_STS, dom);
				q->variant = 1;
				model_fill(g, r, q, &rng, S - S1, snd->fail_rate, w_sts);
			}
		} else {
			p = report_add_policy(r, P_STS, dom);
			model_fill(g, r, p, &rng, S, snd->fail_rate, w_sts);
		}
		if (rng_unit(&rng) < 0.03) {
			/* sessions before the policy was fetched (quirks C8) */
			p = report_add_policy(r, P_NPF, dom);
			p->ok = 1 + (int64_t)rng_below(&rng, (uint64_t)(S / 20 + 1));
		}
	} else {
		p = report_add_policy(r, P_STS, dom);
		model_fill(g, r, p, &rng, S, snd->fail_rate, st == S_MAILRU ? w_mailru : w_sts);
		if (st == S_MICROSOFT && d->dane) {
			q = report_add_policy(r, P_TLSA, dom);
			model_tlsa_view(g, r, &r->pol[0], q, &rng, S);
		}
	}
	if (st == S_GOOGLE)
		model_apply_spikes(g, r, &rng);
	/* quirks C5: Mail.ru leaves policy-string out when it could not fetch
	 * the policy; Microsoft when it never could that day. */
	for (p = r->pol; p < r->pol + r->npol; p++) {
		size_t i;
		int fetch = 0;

		for (i = 0; i < p->n; i++)
			fetch |= p->d[i].rt == RT_STS_FETCH;
		if (p->type == P_STS && fetch &&
		    (st == S_MAILRU || (st == S_MICROSOFT && p->ok == 0)))
			p->no_string = 1;
	}
}

/* Three strings per tail sender, kept in g->owned (sized for them). */
#define GEN_OWNED_STRINGS (3 * GEN_TAIL_SENDERS)

static const char *model_own(struct gen *g, const char *a, int n, const char *c)
{
	char tmp[128];

	if (g->n_owned == GEN_OWNED_STRINGS)
		gen_die("model_own: more than %d strings", GEN_OWNED_STRINGS);
	snprintf(tmp, sizeof(tmp), "%s%d%s", a, n, c);
	return g->owned[g->n_owned++] = gen_xstrdup(tmp);
}

/* The named senders, then GEN_TAIL_SENDERS small host-named ones:
 * mx.isp-N.test (Stalwart style) and smtp.campus-N.test (Postfix style). */
void model_init_senders(struct gen *g)
{
	int k;

	g->n_snd = N_STYLES + GEN_TAIL_SENDERS;
	g->snd = gen_xcalloc((size_t)g->n_snd, sizeof(*g->snd));
	g->owned = gen_xcalloc(GEN_OWNED_STRINGS, sizeof(*g->owned));
	memcpy(g->snd, sender_styles, sizeof(sender_styles));
	for (k = 0; k < GEN_TAIL_SENDERS; k++) {
		struct gen_sender *s = &g->snd[N_STYLES + k];
		int n = k / 2 + 2;

		*s = sender_styles[k % 2 == 0 ? S_STALWART : S_POSTFIX];
		s->presence = 0.5;
		s->ip4_base += 8 + (uint32_t)(k / 2);
		s->ip4_count = 1;
		s->ip6_base = 0x100 + (unsigned)k;
		if (s->style == S_STALWART) {
			s->org = s->submitter = model_own(g, "mx.isp-", n, ".test");
			s->from =
			    model_own(g, "\"Report Subsystem\" <noreply-tls@mx.isp-", n, ".test>");
			s->bounce = model_own(g, "noreply-tls@mx.isp-", n, ".test");
		} else {
			s->org = s->submitter = model_own(g, "smtp.campus-", n, ".test");
			s->contact = model_own(g, "smtp-tls-reporting@smtp.campus-", n, ".test");
			s->from = s->bounce =
			    model_own(g, "noreply-smtp-tls-reporting@smtp.campus-", n, ".test");
		}
	}
}

void model_free(struct gen *g)
{
	int i;
	size_t k;

	for (k = 0; k < g->n_owned; k++)
		free(g->owned[k]);
	free(g->owned);
	free(g->snd);
	for (i = 0; i < g->n_dom; i++)
		free(g->dom[i].name);
	free(g->dom);
	free(g->spike);
	strtab_free(&g->mx);
	strtab_free(&g->rt);
}

void report_free_details(struct gen_report *r)
{
	int i;

	for (i = 0; i < GEN_MAX_POLICIES; i++)
		free(r->pol[i].d);
	memset(r, 0, sizeof(*r));
}
