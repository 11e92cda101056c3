/*
 * gen.c - deterministic generator of realistic SMTP TLS reports (RFC 8460)
 * for the demo, the tests and the benchmarks, and of the figures tlswatch's
 * summary must show for them (--expect). See docs/generator.md.
 *
 * Input is the command line (trusted, but checked: a bad option exits 2
 * with one line). The generator shares no code with tlswatch's core: its
 * expected figures are computed from its own model, so that comparing them
 * with tlswatch's output is an honest test. It includes core/limits.h only
 * (opts.c), to stay inside what tlswatch accepts.
 *
 * This file holds main() and the run: which reports, in which order; the
 * other files and what each does are listed in gen.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

/* The domain named name: one of --domains, one made earlier for a spike,
 * or a new one. */
static int model_domain_for_spike(struct gen *g, const char *name, int mx)
{
	int i;

	for (i = 0; i < g->n_dom; i++)
		if (strcmp(g->dom[i].name, name) == 0)
			return i;
	g->dom = gen_xgrow(g->dom, (size_t)g->n_dom * sizeof(*g->dom),
	                   ((size_t)g->n_dom + 1) * sizeof(*g->dom));
	model_init_domain(g, g->n_dom, name, 1);
	g->dom[g->n_dom].n_mx = 1;
	g->dom[g->n_dom].mx[0] = mx;
	return g->n_dom++;
}

static int spike_cmp(const void *a, const void *b)
{
	const struct gen_spike *x = a, *y = b;

	if (x->dom != y->dom)
		return x->dom < y->dom ? -1 : 1;
	return x->day < y->day ? -1 : x->day > y->day;
}

/* DOMAIN,MX,RESULT_TYPE,YYYY-MM-DD,COUNT */
static void model_add_spike(struct gen *g, const char *arg)
{
	const char *f[5], *p = arg;
	size_t len[5];
	char host[GEN_MAX_HOST + 1], mx[GEN_MAX_HOST + 1], rt[GEN_MAX_RESULT_TYPE + 1], tmp[32];
	struct gen_spike *s;
	int i;

	for (i = 0; i < 5; i++) {
		const char *comma = strchr(p, ',');

		f[i] = p;
		len[i] = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if ((i < 4 && comma == NULL) || (i == 4 && comma != NULL))
			usage_error("--spike '%s': want DOMAIN,MX,RESULT_TYPE,YYYY-MM-DD,COUNT",
			            arg);
		p = comma != NULL ? comma + 1 : p + len[i];
	}
	if (!valid_host(f[0], len[0]) || !valid_host(f[1], len[1]))
		usage_error("--spike '%s': DOMAIN and MX must be host names ([A-Za-z0-9.-])", arg);
	if (!valid_result_type(f[2], len[2]))
		usage_error("--spike '%s': RESULT_TYPE must be [a-z0-9-], at most %d bytes", arg,
		            GEN_MAX_RESULT_TYPE);
	if (len[3] >= sizeof(tmp) || len[4] >= sizeof(tmp))
		usage_error("--spike '%s': bad date or count", arg);
	memcpy(host, f[0], len[0]);
	host[len[0]] = '\0';
	memcpy(mx, f[1], len[1]);
	mx[len[1]] = '\0';
	memcpy(rt, f[2], len[2]);
	rt[len[2]] = '\0';
	g->spike = gen_xgrow(g->spike, g->n_spike * sizeof(*g->spike),
	                     (g->n_spike + 1) * sizeof(*g->spike));
	s = &g->spike[g->n_spike++];
	memcpy(tmp, f[3], len[3]);
	tmp[len[3]] = '\0';
	s->day = opt_day("spike", tmp);
	memcpy(tmp, f[4], len[4]);
	tmp[len[4]] = '\0';
	s->count = (int64_t)opt_number("spike", tmp, 1, GEN_MAX_SPIKE_COUNT);
	s->mx = strtab_intern(&g->mx, mx);
	s->rt = strtab_intern(&g->rt, rt);
	s->dom = model_domain_for_spike(g, host, s->mx);
}

/* DOMAIN,YYYY-MM-DD: an MTA-STS domain of --domains moves from testing to
 * enforce that day (docs/generator.md, Policy changes). */
static void model_add_change(struct gen *g, const char *arg)
{
	const char *comma = strchr(arg, ',');
	int i;

	if (comma == NULL || strchr(comma + 1, ',') != NULL)
		usage_error("--policy-change '%s': want DOMAIN,YYYY-MM-DD", arg);
	for (i = 0; i < g->n_main; i++)
		if (strlen(g->dom[i].name) == (size_t)(comma - arg) &&
		    memcmp(g->dom[i].name, arg, (size_t)(comma - arg)) == 0)
			break;
	if (i == g->n_main || g->dom[i].type != DOM_STS)
		usage_error("--policy-change '%s': not an MTA-STS domain of --domains", arg);
	g->dom[i].change_day = opt_day("policy-change", comma + 1);
}

static void model_init(struct gen *g, const struct gen_opts *o)
{
	char name[64];
	size_t i;
	int k;

	memset(g, 0, sizeof(*g));
	g->seed = o->seed;
	g->start_day = o->start;
	g->days = o->days;
	model_init_senders(g);
	for (k = 0; k < N_RT_REGISTRY; k++)
		strtab_intern(&g->rt, rt_registry[k]);
	g->n_main = (int)o->domains;
	g->n_dom = g->n_main;
	g->dom = gen_xcalloc((size_t)g->n_dom, sizeof(*g->dom));
	for (k = 0; k < g->n_main; k++) {
		domain_name(name, sizeof(name), k);
		model_init_domain(g, k, name, 0);
	}
	for (i = 0; i < o->n_spikes; i++)
		model_add_spike(g, o->spikes[i]);
	for (i = 0; i < o->n_changes; i++)
		model_add_change(g, o->changes[i]);
	if (g->n_snd > 254 || g->n_dom >= (1 << 20) - 1 || g->mx.n >= (1u << 22) - 1 ||
	    g->rt.n >= 1u << 14)
		gen_die("model too large for its ids");
	if (g->n_spike > 1)
		qsort(g->spike, g->n_spike, sizeof(*g->spike), spike_cmp);
}

static void expect_setup(struct gen_expect *e, const struct gen *g, const struct gen_opts *o)
{
	size_t i;
	int k;

	memset(e, 0, sizeof(*e));
	e->path = o->expect;
	if (e->path == NULL)
		return;
	e->since = o->since;
	e->until = o->until;
	e->org_name = o->expect_org;
	e->org = -1;
	for (k = 0; o->expect_org != NULL && k < g->n_snd; k++)
		if (strcmp(g->snd[k].org, o->expect_org) == 0)
			e->org = k;
	if (o->n_expect_domains > 0) {
		e->dom_sel = gen_xcalloc((size_t)g->n_dom, 1);
		for (i = 0; i < o->n_expect_domains; i++)
			for (k = 0; k < g->n_dom; k++)
				if (strcmp(g->dom[k].name, o->expect_domains[i]) == 0)
					e->dom_sel[k] = 1;
	}
	expect_init(e, g);
}

/* What was generated, to pick re-sends from and regenerate them. */
struct gen_key {
	int64_t day;
	int32_t dom;
	int32_t sender;
};

struct gen_run {
	struct gen g;
	struct gen_out out;
	struct gen_expect exp;
	struct gen_report r;
	struct gen_key *keys;
	size_t n_keys, cap_keys;
	uint64_t max_reports;
};

/* Builds, writes and counts one report. 0, or -1 once --max-reports is met. */
static int run_one(struct gen_run *run, int sender, int dom, int64_t day)
{
	struct gen_key *k;

	if (run->n_keys >= run->max_reports)
		return -1;
	model_build(&run->g, sender, dom, day, &run->r);
	out_report(&run->out, &run->g, &run->r, NULL);
	expect_add(&run->exp, &run->g, &run->r);
	if (run->n_keys == run->cap_keys) {
		run->keys =
		    gen_xgrow(run->keys, run->n_keys * sizeof(*run->keys),
		              (run->cap_keys ? run->cap_keys * 2 : 1024) * sizeof(*run->keys));
		run->cap_keys = run->cap_keys ? run->cap_keys * 2 : 1024;
	}
	k = &run->keys[run->n_keys++];
	k->day = day;
	k->dom = dom;
	k->sender = sender;
	return 0;
}

/* Every sender, domain and day of the period; then Google reports that
 * spikes ask for outside it (another day, or a domain of their own). */
static void run_generate(struct gen_run *run)
{
	struct gen *g = &run->g;
	int64_t day;
	size_t i;
	int dom, s;

	for (day = g->start_day; day < g->start_day + g->days; day++)
		for (dom = 0; dom < g->n_main; dom++)
			for (s = 0; s < g->n_snd; s++)
				if (model_present(g, s, dom, day) && run_one(run, s, dom, day) < 0)
					return;
	for (i = 0; i < g->n_spike; i++) {
		const struct gen_spike *sp = &g->spike[i];

		if (i > 0 && sp->dom == sp[-1].dom && sp->day == sp[-1].day)
			continue;
		if (sp->dom < g->n_main && sp->day >= g->start_day &&
		    sp->day < g->start_day + g->days)
			continue; /* made in the loop above */
		if (run_one(run, S_GOOGLE, sp->dom, sp->day) < 0)
			return;
	}
}

/* N exact re-sends of reports already written, chosen at random. */
static void run_duplicates(struct gen_run *run, uint64_t n)
{
	struct rng rng = rng_for(run->g.seed, 0, 0, 0, 0xd5);
	struct buf suffix = {NULL, 0, 0};
	uint64_t i;

	if (run->n_keys == 0)
		return;
	for (i = 1; i <= n; i++) {
		const struct gen_key *k = &run->keys[rng_below(&rng, run->n_keys)];

		suffix.n = 0;
		buf_str(&suffix, "!resend");
		buf_u64(&suffix, i);
		buf_ch(&suffix, '\0');
		model_build(&run->g, k->sender, k->dom, k->day, &run->r);
		out_report(&run->out, &run->g, &run->r, suffix.p);
	}
	free(suffix.p);
}

int main(int argc, char **argv)
{
	static struct gen_run run;
	struct gen_opts o;

	parse_opts(argc, argv, &o);
	model_init(&run.g, &o);
	expect_setup(&run.exp, &run.g, &o);
	run.max_reports = o.max_reports;
	out_init(&run.out, o.format, o.out, (int)o.per_file);

	run_generate(&run);
	mail_end(&run.out); /* a part-filled message is complete before re-sends */
	run_duplicates(&run, o.duplicates);
	out_finish(&run.out);
	if (run.exp.path != NULL)
		expect_write(&run.exp, &run.g);
	if (o.verbose)
		fprintf(
		    stderr, "gen: %zu reports, %llu re-sends, %llu messages, %llu files in %s\n",
		    run.n_keys, (unsigned long long)(run.n_keys ? o.duplicates : 0),
		    (unsigned long long)run.out.messages, (unsigned long long)run.out.files, o.out);

	expect_free(&run.exp);
	report_free_details(&run.r);
	model_free(&run.g);
	free(run.keys);
	free(o.spikes);
	free(o.changes);
	free(o.expect_domains);
	return 0;
}
