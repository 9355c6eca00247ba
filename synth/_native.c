/* synth._native: the post builder of synth/build.py in C, byte for byte.
 *
 * This module implements exactly the algorithm of ``synth.build.build_json_py`` (read that
 * first: the Python version is the definition and the fallback). It holds no vocabulary of its
 * own: ``synth.native`` prepares the tables from ``synth.tables`` / ``synth.fast_tables`` and
 * hands them over once with ``init(tables)``; this module keeps references to the bytes objects
 * and reads them through (pointer, length) arrays. After ``init`` nothing here is written again,
 * so ``build`` is safe from any thread, greenlet or process (it holds the GIL throughout), and
 * ``build_block`` can build without the GIL (the buffers are PyMem_Raw memory).
 *
 * Differences in technique only (the bytes are the same, tests compare them):
 * - the 18 always-needed stream outputs are plain uint64_t splitmix64 draws (unsigned
 *   arithmetic wraps modulo 2**64 exactly like ``& MASK64`` in Python);
 * - the bank walk is ``(p0 + k * step) % N_BANK`` computed as it goes; the appended-sentence
 *   choice of paragraph k is ``(t[k / 10] >> 6 * (k % 10)) & 63`` (what the base64 trick reads);
 * - similar posts and the checklist are computed per post (no caches);
 * - sha256 is hashlib's (OpenSSL), called through the C API on the bytes written with
 *   ``"hash":""``; the 24 hex digits are written into the slot of the returned bytes
 *   (``build_block`` calls the SHA256 of the libcrypto hashlib uses directly, without the GIL).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#define GOLDEN 0x9E3779B97F4A7C15ULL
#define MAX_SEED 0x7FFFFFFFFFFFFFFFULL
#define HASH_HEX 24
#define MAX_SECTIONS 64 /* bounds checked at init against the size profiles */
#define MAX_FIGURES 64
#define N_CHOICES 64 /* 6-bit appended-sentence choices */

enum {
    L_TOPIC, L_PEOPLE, L_SIZE, L_LAYOUT, L_COUNTS, L_PARAGRAPHS, L_HEADINGS, L_CODE, L_TAIL1,
    L_TAIL2, L_FIGURES, L_CHECKLIST, L_META, L_SCORE, L_REVISION, L_REFERENCE, L_NOTES,
    L_SIMILAR, N_LANES
};

typedef struct {
    const char *p;
    Py_ssize_t n;
} frag;

typedef struct {
    int sec_lo, sec_hi, par_lo, par_hi, lead_max, check_max, code_lo, code_hi;
} profile_t;

/* Everything init() hands over. Written once, read-only afterwards. */
static struct {
    int ready;
    PyObject *keep; /* a list holding every object the pointers below point into */
    PyObject *sha256;
    PyObject *size_index; /* dict: size name -> profile index */
    PyObject *digest_name;
    uint64_t version_key, f_tails, f_topic, f_reference;
    uint64_t lane_field[N_LANES], lane_step[N_LANES];
    Py_ssize_t n_stacks, n_problems, n_scenarios, n_titles, n_bank, n_headings, n_items;
    Py_ssize_t n_people, n_orgs, n_photos, n_tags, n_kinds, n_intros, n_finals, n_summary;
    Py_ssize_t n_focus, n_brief, n_actions, n_difficulties, n_statuses, n_revisions;
    Py_ssize_t n_review_days, n_common_pairs, n_notes, n_profiles;
    uint64_t draft, image_heavy, review_below, words_per_minute;
    /* per stack */
    frag *stack_names, *stack_entities, *stack_meta, *code_languages;
    frag *opens;                     /* [stack * n_bank + p] */
    const unsigned char *open_words; /* [stack * n_bank + p] */
    frag *closes;                    /* [stack * 64 + v] */
    const unsigned char *close_words;
    frag *titles; /* [(stack * n_titles + i) * 3 + part] */
    const unsigned char *title_scenario; /* [i] */
    frag *intros;                        /* [(stack * n_intros + i) * 3 + part] */
    frag *finals;                        /* [(stack * n_finals + i) * 2 + part] */
    const unsigned char *final_problem;  /* [i] */
    frag *summaries;                     /* [(stack * n_summary + i) * 3 + part] */
    frag *code_blocks;                   /* [code_start[stack] + j] */
    Py_ssize_t *code_start, *code_count;
    /* per problem / person / organization */
    frag *problems, *problem_entities, *scenarios, *people, *orgs;
    const unsigned char *problem_spaces;
    Py_ssize_t *people_spaces, *org_spaces;
    /* mark tables: [p] for openings, [v] for closings */
    const unsigned char *open_problems, *close_problems, *close_owners, *close_companies;
    const unsigned char *close_marked;
    /* figures */
    frag *caption_kinds, *unsplash_figure, *unsplash_source, *loremflickr_urls;
    frag loremflickr_source;
    /* sections, checklist */
    frag *heading_open, *headings, *items;
    Py_ssize_t *item_words;
    frag checklist_open;
    /* meta */
    frag *focus, *brief_actions, *common_pairs, *difficulties, *revisions, *review_dates;
    frag *notes;
    const unsigned char *ai_style;
    frag breadcrumb, payload_generator, payload_version;
    profile_t *profiles;
    const unsigned char *natural; /* [d % n_natural] -> profile index */
    Py_ssize_t n_natural;
} T;

static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* ---- output buffer ---------------------------------------------------------------------- */

typedef struct {
    char *buf;
    size_t len, cap;
    int failed;
} out_t;

static int grow(out_t *o, size_t need)
{
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->len + need) {
        if (cap > ((size_t)PY_SSIZE_T_MAX) / 2) {
            o->failed = 1;
            return -1;
        }
        cap *= 2;
    }
    char *buf = PyMem_RawRealloc(o->buf, cap); /* raw: build_block grows without the GIL */
    if (buf == NULL) {
        o->failed = 1;
        return -1;
    }
    o->buf = buf;
    o->cap = cap;
    return 0;
}

static inline void put(out_t *o, const char *p, size_t n)
{
    if (o->len + n > o->cap && grow(o, n) < 0)
        return;
    memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static inline void put_frag(out_t *o, frag f) { put(o, f.p, (size_t)f.n); }

#define PUT_LIT(o, s) put((o), (s), sizeof(s) - 1)

/* ``value`` in decimal, zero-padded to at least ``width`` digits (as ``f"{value:0{width}d}"``). */
static void put_uint(out_t *o, uint64_t value, int width)
{
    char tmp[24];
    int i = 24;
    do {
        tmp[--i] = (char)('0' + value % 10);
        value /= 10;
    } while (value);
    while (24 - i < width)
        tmp[--i] = '0';
    put(o, tmp + i, (size_t)(24 - i));
}

/* ``f`` with the marks \x01 (problem), \x02 (owner), \x03 (company) replaced; ``all`` = 0
 * replaces only \x01 (as build_json_py does for an opening whose closing carries no mark). */
static void put_marked(out_t *o, frag f, int all, frag problem, frag owner, frag company)
{
    const char *p = f.p, *end = f.p + f.n;
    while (p < end) {
        const char *q = p;
        while (q < end && (unsigned char)*q > 3)
            q++;
        put(o, p, (size_t)(q - p));
        if (q == end)
            break;
        switch (*q) {
        case 1:
            put_frag(o, problem);
            break;
        case 2:
            if (all)
                put_frag(o, owner);
            else
                put(o, q, 1);
            break;
        case 3:
            if (all)
                put_frag(o, company);
            else
                put(o, q, 1);
            break;
        default:
            put(o, q, 1);
        }
        p = q + 1;
    }
}

static Py_ssize_t count_spaces(const char *p, size_t n)
{
    Py_ssize_t spaces = 0;
    for (size_t i = 0; i < n; i++)
        spaces += p[i] == ' ';
    return spaces;
}

/* ---- the builder ------------------------------------------------------------------------ */

/* The next digit of ``*x`` in base ``n``: ``*x % n``, and ``*x`` keeps the rest (``*x / n``). */
static inline uint64_t take(uint64_t *x, uint64_t n)
{
    uint64_t digit = *x % n;
    *x /= n;
    return digit;
}

/* The topic draw split into its choices (the title's template is the fourth digit). */
typedef struct {
    Py_ssize_t stack, problem, scenario, title;
} topic_t;

static topic_t split_topic(uint64_t x)
{
    topic_t t;
    t.stack = (Py_ssize_t)take(&x, (uint64_t)T.n_stacks);
    t.problem = (Py_ssize_t)take(&x, (uint64_t)T.n_problems);
    t.scenario = (Py_ssize_t)take(&x, (uint64_t)T.n_scenarios);
    t.title = (Py_ssize_t)(x % (uint64_t)T.n_titles);
    return t;
}

typedef struct {
    int unsplash;
    Py_ssize_t photo_or_tag;
} figure_t;

static void put_caption(out_t *o, frag problem, frag stack_name, frag kind, Py_ssize_t n)
{
    put_frag(o, problem);
    PUT_LIT(o, " with ");
    put_frag(o, stack_name);
    PUT_LIT(o, " ");
    put_frag(o, kind);
    PUT_LIT(o, " ");
    put_uint(o, (uint64_t)n, 0);
}

/* A loremflickr figure's source and URL: ``SOURCE","url":"URL`` (the quotes around come from the
 * caller); the URL ends in a per-figure lock number. */
static void put_loremflickr(out_t *o, const figure_t *f, Py_ssize_t n, uint64_t seed)
{
    put_frag(o, T.loremflickr_source);
    PUT_LIT(o, "\",\"url\":\"");
    put_frag(o, T.loremflickr_urls[f->photo_or_tag]);
    put_uint(o, (seed + (uint64_t)n - 1) % 1000000, 0);
}

/* The figure block of figure ``n`` (1-based), without a leading comma. */
static void put_figure(out_t *o, const figure_t *f, Py_ssize_t n, uint64_t seed, frag problem,
                       frag stack_name, frag kind)
{
    PUT_LIT(o, "{\"kind\":\"figure\",\"caption\":\"");
    put_caption(o, problem, stack_name, kind, n);
    if (f->unsplash) {
        put_frag(o, T.unsplash_figure[f->photo_or_tag]);
    } else {
        PUT_LIT(o, "\",\"source\":\"");
        put_loremflickr(o, f, n, seed);
        PUT_LIT(o, "\"}");
    }
}

/* The image-sources entry of figure ``n``, without a leading comma. */
static void put_source(out_t *o, const figure_t *f, Py_ssize_t n, uint64_t seed, frag problem,
                       frag stack_name, frag kind)
{
    if (f->unsplash) {
        put_frag(o, T.unsplash_source[f->photo_or_tag]);
    } else {
        PUT_LIT(o, "{\"source\":\"");
        put_loremflickr(o, f, n, seed);
        PUT_LIT(o, "\",\"caption\":\"");
    }
    put_caption(o, problem, stack_name, kind, n);
    PUT_LIT(o, "\"}");
}

/* The title of a post with topic ``t``: a + problem + b (+ scenario) + c. */
static void put_title(out_t *o, const topic_t *t)
{
    const frag *parts = &T.titles[(t->stack * T.n_titles + t->title) * 3];
    put_frag(o, parts[0]);
    put_frag(o, T.problems[t->problem]);
    put_frag(o, parts[1]);
    if (T.title_scenario[t->title])
        put_frag(o, T.scenarios[t->scenario]);
    put_frag(o, parts[2]);
}

/* A post's reference, ``anp-ref-SSSSSS-NNNN``, from its seed and its reference draw. */
static void put_reference(out_t *o, uint64_t seed, uint64_t draw)
{
    PUT_LIT(o, "anp-ref-");
    put_uint(o, seed, 6);
    PUT_LIT(o, "-");
    put_uint(o, draw % 10000, 4);
}

/* Writes the post of (seed, profile) with "hash":"" into ``o``; returns the slot's offset. */
static size_t build_body(out_t *o, uint64_t seed, Py_ssize_t profile_i)
{
    uint64_t key = mix64(T.version_key ^ mix64(seed));
    uint64_t d[N_LANES];
    for (int i = 0; i < N_LANES; i++)
        d[i] = mix64((key ^ T.lane_field[i]) + T.lane_step[i]);
    uint64_t x;

    /* --- topic --- */
    const topic_t topic = split_topic(d[L_TOPIC]);
    const Py_ssize_t stack_i = topic.stack, problem_i = topic.problem;
    frag stack_name = T.stack_names[stack_i];
    frag problem = T.problems[problem_i];
    frag scenario = T.scenarios[topic.scenario];

    /* --- layout --- */
    if (profile_i < 0)
        profile_i = T.natural[d[L_SIZE] % (uint64_t)T.n_natural];
    const profile_t *pr = &T.profiles[profile_i];
    x = d[L_LAYOUT];
    uint64_t span = (uint64_t)(pr->sec_hi - pr->sec_lo + 1);
    Py_ssize_t n_sections = pr->sec_lo + (Py_ssize_t)take(&x, span);
    Py_ssize_t n_lead = (Py_ssize_t)take(&x, (uint64_t)(pr->lead_max + 1));
    Py_ssize_t n_check_figs = (Py_ssize_t)take(&x, (uint64_t)(pr->check_max + 1));
    span = (uint64_t)(pr->code_hi - pr->code_lo + 1);
    Py_ssize_t n_code = pr->code_lo + (Py_ssize_t)take(&x, span);
    if (n_code > n_sections)
        n_code = n_sections;
    Py_ssize_t code_offset = (Py_ssize_t)take(&x, (uint64_t)n_sections);
    Py_ssize_t intro_i = (Py_ssize_t)take(&x, (uint64_t)T.n_intros);
    Py_ssize_t final_i = (Py_ssize_t)take(&x, (uint64_t)T.n_finals);
    Py_ssize_t n_items = 3 + (Py_ssize_t)(x % 5);

    Py_ssize_t per_section[MAX_SECTIONS], code_at[MAX_SECTIONS];
    Py_ssize_t n_body = 0;
    uint64_t counts = d[L_COUNTS];
    span = (uint64_t)(pr->par_hi - pr->par_lo + 1);
    for (Py_ssize_t s = 0; s < n_sections; s++) {
        per_section[s] = pr->par_lo + (Py_ssize_t)take(&counts, span);
        n_body += per_section[s];
        code_at[s] = 0;
    }
    Py_ssize_t code_every = n_sections / n_code;
    for (Py_ssize_t j = 0; j < n_code; j++) {
        Py_ssize_t s = (code_offset + j * code_every) % n_sections;
        code_at[s] = (s + code_offset) % 2 == 0 ? per_section[s] : 1;
    }

    /* --- figures (written later, in two places) --- */
    Py_ssize_t n_figs = n_lead + n_check_figs;
    figure_t figures[MAX_FIGURES];
    frag kind = {"", 0};
    if (n_figs) {
        x = d[L_FIGURES];
        Py_ssize_t ph_pos = (Py_ssize_t)take(&x, (uint64_t)T.n_photos);
        Py_ssize_t ph_step = 1 + (Py_ssize_t)take(&x, (uint64_t)(T.n_photos - 1));
        kind = T.caption_kinds[take(&x, (uint64_t)T.n_kinds)];
        for (Py_ssize_t n = 0; n < n_figs; n++) {
            if (take(&x, 5)) { /* 4 in 5: the next photo of the walk; else a loremflickr tag */
                figures[n].unsplash = 1;
                figures[n].photo_or_tag = ph_pos;
                ph_pos = (ph_pos + ph_step) % T.n_photos;
            } else {
                figures[n].unsplash = 0;
                figures[n].photo_or_tag = (Py_ssize_t)take(&x, (uint64_t)T.n_tags);
            }
        }
    }

    /* --- head: title, intro, lead figures --- */
    Py_ssize_t words = 0;
    PUT_LIT(o, "{\"breadcrumb\":\"");
    put_frag(o, T.breadcrumb);
    PUT_LIT(o, "\",\"title\":\"");
    put_title(o, &topic);
    PUT_LIT(o, "\",\"intro\":\"");
    size_t mark = o->len;
    const frag *parts = &T.intros[(stack_i * T.n_intros + intro_i) * 3];
    put_frag(o, parts[0]);
    put_frag(o, problem);
    put_frag(o, parts[1]);
    put_frag(o, scenario);
    put_frag(o, parts[2]);
    if (!o->failed)
        words += count_spaces(o->buf + mark, o->len - mark) + 1;
    PUT_LIT(o, "\",\"lead\":[");
    for (Py_ssize_t n = 0; n < n_lead; n++) {
        if (n)
            PUT_LIT(o, ",");
        put_figure(o, &figures[n], n + 1, seed, problem, stack_name, kind);
    }
    PUT_LIT(o, "],\"sections\":[");

    /* --- sections: paragraphs along the bank walk, code blocks, headings --- */
    frag owner = T.people[d[L_PEOPLE] % (uint64_t)T.n_people];
    frag company = T.orgs[d[L_PEOPLE] / (uint64_t)T.n_people % (uint64_t)T.n_orgs];
    Py_ssize_t owner_spaces = T.people_spaces[d[L_PEOPLE] % (uint64_t)T.n_people];
    Py_ssize_t company_spaces =
        T.org_spaces[d[L_PEOPLE] / (uint64_t)T.n_people % (uint64_t)T.n_orgs];
    x = d[L_PARAGRAPHS];
    Py_ssize_t p = (Py_ssize_t)take(&x, (uint64_t)T.n_bank);
    Py_ssize_t p_step = 1 + (Py_ssize_t)(x % (uint64_t)(T.n_bank - 1));
    x = d[L_HEADINGS];
    Py_ssize_t h = (Py_ssize_t)take(&x, (uint64_t)T.n_headings);
    Py_ssize_t h_step = 1 + (Py_ssize_t)(x % (uint64_t)(T.n_headings - 1));
    Py_ssize_t n_snippets = T.code_count[stack_i];
    const frag *snippets = &T.code_blocks[T.code_start[stack_i]];
    Py_ssize_t s_pos = (Py_ssize_t)(d[L_CODE] % (uint64_t)n_snippets);
    const frag *opens = &T.opens[stack_i * T.n_bank];
    const unsigned char *open_words = &T.open_words[stack_i * T.n_bank];
    const frag *closes = &T.closes[stack_i * N_CHOICES];
    const unsigned char *close_words = &T.close_words[stack_i * N_CHOICES];
    uint64_t tail = d[L_TAIL1];
    uint64_t tail_i = 1; /* the output number of ``tail`` in the tails stream */
    Py_ssize_t tail_left = 10;
    Py_ssize_t problem_marks = 0, owner_marks = 0, company_marks = 0;
    int any_close_marked = 0;
    for (Py_ssize_t s = 0; s < n_sections; s++) {
        if (s >= T.n_headings) { /* xl: headings come round as "part 2", ... */
            PUT_LIT(o, "]},{\"heading\":\"");
            put_frag(o, T.headings[h]);
            PUT_LIT(o, ", part ");
            put_uint(o, (uint64_t)(s / T.n_headings + 1), 0);
            PUT_LIT(o, "\",\"blocks\":[");
        } else if (s == 0) {
            put(o, T.heading_open[h].p + 3, (size_t)(T.heading_open[h].n - 3));
        } else {
            put_frag(o, T.heading_open[h]);
        }
        h += h_step;
        if (h >= T.n_headings)
            h -= T.n_headings;
        for (Py_ssize_t i = 0; i < per_section[s]; i++) {
            if (!tail_left) {
                tail_i++;
                tail = tail_i == 2 ? d[L_TAIL2] : mix64((key ^ T.f_tails) + tail_i * GOLDEN);
                tail_left = 10;
            }
            unsigned v = (unsigned)(tail & 63);
            tail >>= 6;
            tail_left--;
            if (i)
                PUT_LIT(o, ",");
            words += open_words[p] + close_words[v];
            problem_marks += T.open_problems[p] + T.close_problems[v];
            owner_marks += T.close_owners[v];
            company_marks += T.close_companies[v];
            if (T.close_marked[v]) {
                any_close_marked = 1;
                put_marked(o, opens[p], 1, problem, owner, company);
                put_marked(o, closes[v], 1, problem, owner, company);
            } else {
                if (T.open_problems[p])
                    put_marked(o, opens[p], 0, problem, owner, company);
                else
                    put_frag(o, opens[p]);
                put_frag(o, closes[v]);
            }
            p += p_step;
            if (p >= T.n_bank)
                p -= T.n_bank;
            if (i + 1 == code_at[s]) {
                PUT_LIT(o, ",");
                put_frag(o, snippets[s_pos]);
                s_pos = (s_pos + 1) % n_snippets;
            }
        }
    }
    words += problem_marks * T.problem_spaces[problem_i];
    int owner_used = 0, company_used = 0;
    if (any_close_marked) {
        owner_used = owner_marks > 0;
        company_used = company_marks > 0;
        words += owner_marks * owner_spaces + company_marks * company_spaces;
    }

    /* --- checklist --- */
    x = d[L_CHECKLIST];
    Py_ssize_t c_pos = (Py_ssize_t)take(&x, (uint64_t)T.n_items);
    Py_ssize_t c_step = 1 + (Py_ssize_t)(x % (uint64_t)(T.n_items - 1));
    put_frag(o, T.checklist_open);
    size_t checklist_at = o->len;
    PUT_LIT(o, "[\"");
    for (Py_ssize_t i = 0; i < n_items; i++) {
        Py_ssize_t item = (c_pos + i * c_step) % T.n_items;
        if (i)
            PUT_LIT(o, "\",\"");
        put_frag(o, T.items[item]);
        words += T.item_words[item];
    }
    PUT_LIT(o, "\"]");
    size_t checklist_len = o->len - checklist_at;
    PUT_LIT(o, "}");
    for (Py_ssize_t n = n_lead; n < n_figs; n++) {
        PUT_LIT(o, ",");
        put_figure(o, &figures[n], n + 1, seed, problem, stack_name, kind);
    }

    /* --- final notes, meta --- */
    PUT_LIT(o, "]}],\"final_notes\":\"");
    mark = o->len;
    parts = &T.finals[(stack_i * T.n_finals + final_i) * 2];
    put_frag(o, parts[0]);
    if (T.final_problem[final_i])
        put_frag(o, problem);
    put_frag(o, parts[1]);
    if (!o->failed)
        words += count_spaces(o->buf + mark, o->len - mark) + 1;
    PUT_LIT(o, "\",\"meta\":{\"topic\":\"");
    put_frag(o, problem);
    PUT_LIT(o, " / ");
    put_frag(o, stack_name);
    PUT_LIT(o, "\",\"summary\":\"");
    uint64_t m = d[L_META];
    parts = &T.summaries[(stack_i * T.n_summary + (Py_ssize_t)(m % (uint64_t)T.n_summary)) * 3];
    put_frag(o, parts[0]);
    put_frag(o, problem);
    put_frag(o, parts[1]);
    put_frag(o, T.focus[m / (uint64_t)T.n_summary % (uint64_t)T.n_focus]);
    put_frag(o, parts[2]);
    m /= (uint64_t)(T.n_summary * T.n_focus);
    Py_ssize_t brief_i = (Py_ssize_t)(m % (uint64_t)T.n_brief);
    uint64_t tools = m / (uint64_t)(T.n_brief * T.n_actions * T.n_difficulties);
    PUT_LIT(o, "\",\"ai_outline\":{\"context\":\"");
    put_frag(o, scenario);
    PUT_LIT(o, "\",\"problem\":\"");
    put_frag(o, problem);
    PUT_LIT(o, "\",\"stack\":\"");
    put_frag(o, stack_name);
    PUT_LIT(o, "\",\"recommended_action\":\"");
    put_frag(o, T.brief_actions[m % (uint64_t)(T.n_brief * T.n_actions)]);
    put_frag(o, T.stack_meta[stack_i]);
    put_frag(o, T.common_pairs[tools % (uint64_t)T.n_common_pairs]);
    put_frag(o, T.code_languages[stack_i]);
    PUT_LIT(o, "\",\"difficulty\":\"");
    put_frag(
        o, T.difficulties[m / (uint64_t)(T.n_brief * T.n_actions) % (uint64_t)T.n_difficulties]);
    PUT_LIT(o, "\",\"reading_time\":");
    uint64_t reading = ((uint64_t)words + T.words_per_minute - 1) / T.words_per_minute;
    put_uint(o, reading ? reading : 1, 0);
    PUT_LIT(o, ",\"view_count\":");
    put_uint(o, tools / (uint64_t)T.n_common_pairs % 1000000, 0);
    uint64_t score = d[L_SCORE];
    uint64_t quality = score % 61 + 40;
    PUT_LIT(o, ",\"score\":{\"quality\":");
    put_uint(o, quality, 0);
    PUT_LIT(o, ",\"freshness\":");
    put_uint(o, score / 61 % 101, 0);
    PUT_LIT(o, ",\"depth\":");
    put_uint(o, score / 6161 % 81 + 20, 0);
    PUT_LIT(o, ",\"clarity\":");
    put_uint(o, score / 499041 % 61 + 40, 0);
    PUT_LIT(o, "},");
    uint64_t rev = d[L_REVISION];
    put_frag(o, T.revisions[rev % (uint64_t)T.n_revisions]);
    put_frag(o, T.review_dates[rev / (uint64_t)T.n_revisions % (uint64_t)T.n_review_days]);
    int review = quality < T.review_below || rev % (uint64_t)T.n_statuses == T.draft;
    PUT_LIT(o, "\"},\"reference\":\"");
    put_reference(o, seed, d[L_REFERENCE]);
    PUT_LIT(o, "\",\"hash\":\"");
    size_t slot = o->len;

    /* --- the rest: flags, checklist, entities, image sources, payload, similar posts --- */
    static const char *const bools[2] = {"false", "true"};
    static const size_t bool_len[2] = {5, 4};
#define PUT_BOOL(o, b) put((o), bools[(b) ? 1 : 0], bool_len[(b) ? 1 : 0])
    PUT_LIT(o, "\",\"flags\":{\"ai_generated_style\":");
    PUT_BOOL(o, T.ai_style[brief_i]);
    PUT_LIT(o, ",\"has_images\":");
    PUT_BOOL(o, n_figs > 0);
    PUT_LIT(o, ",\"image_heavy\":");
    PUT_BOOL(o, (uint64_t)n_figs >= T.image_heavy);
    PUT_LIT(o, ",\"needs_human_review\":");
    PUT_BOOL(o, review);
    PUT_LIT(o, "},\"checklist\":");
    if (o->len + checklist_len <= o->cap || grow(o, checklist_len) == 0) {
        memcpy(o->buf + o->len, o->buf + checklist_at, checklist_len);
        o->len += checklist_len;
    }
    PUT_LIT(o, ",\"entities\":[");
    put_frag(o, T.stack_entities[stack_i]);
    PUT_LIT(o, ",");
    put_frag(o, T.problem_entities[problem_i]);
    if (owner_used) {
        PUT_LIT(o, ",{\"name\":\"");
        put_frag(o, owner);
        PUT_LIT(o, "\",\"type\":\"person\"}");
    }
    if (company_used) {
        PUT_LIT(o, ",{\"name\":\"");
        put_frag(o, company);
        PUT_LIT(o, "\",\"type\":\"organization\"}");
    }
    PUT_LIT(o, "],\"image_sources\":[");
    for (Py_ssize_t n = 0; n < n_figs; n++) {
        if (n)
            PUT_LIT(o, ",");
        put_source(o, &figures[n], n + 1, seed, problem, stack_name, kind);
    }
    PUT_LIT(o, "],\"payload\":{\"source_id\":\"alphanode-");
    put_uint(o, seed, 6);
    put_frag(o, T.payload_generator);
    put_uint(o, (uint64_t)n_body + 1, 0);
    PUT_LIT(o, ",\"scenario\":\"");
    put_frag(o, scenario);
    PUT_LIT(o, "\",\"seed\":");
    put_uint(o, seed, 0);
    put_frag(o, T.payload_version);
    PUT_LIT(o, ",\"notes\":");
    put_frag(o, T.notes[1 + d[L_NOTES] % (uint64_t)(T.n_notes - 1)]);
    PUT_LIT(o, "},\"similar_posts\":[");
    x = d[L_SIMILAR];
    uint64_t n_similar = take(&x, 4);
    uint64_t other = seed;
    for (uint64_t i = 0; i < n_similar; i++) {
        other = (other + 1 + take(&x, 997)) & MAX_SEED;
        uint64_t other_key = mix64(T.version_key ^ mix64(other));
        if (i)
            PUT_LIT(o, ",");
        const topic_t other_topic = split_topic(mix64((other_key ^ T.f_topic) + GOLDEN));
        PUT_LIT(o, "{\"title\":\"");
        put_title(o, &other_topic);
        PUT_LIT(o, "\",\"reference\":\"");
        put_reference(o, other, mix64((other_key ^ T.f_reference) + GOLDEN));
        PUT_LIT(o, "\"}");
    }
    PUT_LIT(o, "]}");
    return slot;
}

/* ---- Python entry points ---------------------------------------------------------------- */

static int parse_args(PyObject *const *args, Py_ssize_t nargs, uint64_t *seed,
                      Py_ssize_t *profile_i)
{
    if (!T.ready) {
        PyErr_SetString(PyExc_RuntimeError,
                        "synth._native is not initialised: synth.native calls init() at import");
        return -1;
    }
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "expected 2 arguments (seed, size), got %zd", nargs);
        return -1;
    }
    if (!PyLong_CheckExact(args[0]) && !(PyLong_Check(args[0]) && !PyBool_Check(args[0]))) {
        PyErr_Format(PyExc_TypeError, "seed must be an int in 0..2**63-1, got %R (a %s)",
                     args[0], Py_TYPE(args[0])->tp_name);
        return -1;
    }
    unsigned long long value = PyLong_AsUnsignedLongLong(args[0]);
    if ((value == (unsigned long long)-1 && PyErr_Occurred()) || value > MAX_SEED) {
        PyErr_Clear();
        PyErr_Format(PyExc_ValueError, "seed must be an int in 0..2**63-1, got %R", args[0]);
        return -1;
    }
    *seed = value;
    if (args[1] == Py_None) {
        *profile_i = -1;
        return 0;
    }
    PyObject *index = PyDict_GetItemWithError(T.size_index, args[1]);
    if (index == NULL) {
        if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_ValueError, "size must be one of %R or None, got %R",
                         T.size_index, args[1]);
        }
        return -1;
    }
    *profile_i = PyLong_AsSsize_t(index);
    return 0;
}

static PyObject *finish(out_t *o)
{
    if (o->failed) {
        PyMem_RawFree(o->buf);
        return PyErr_NoMemory();
    }
    return NULL;
}

static const char HEX[] = "0123456789abcdef";

/* The post of (seed, profile): its canonical JSON bytes, hash included. */
static PyObject *build_post(uint64_t seed, Py_ssize_t profile_i)
{
    out_t o = {NULL, 0, 0, 0};
    grow(&o, 16384);
    size_t slot = build_body(&o, seed, profile_i);
    if (o.failed)
        return finish(&o);
    PyObject *result = NULL, *hasher = NULL, *digest = NULL;
    PyObject *view = PyMemoryView_FromMemory(o.buf, (Py_ssize_t)o.len, PyBUF_READ);
    if (view == NULL)
        goto done;
    hasher = PyObject_CallOneArg(T.sha256, view);
    if (hasher == NULL)
        goto done;
    digest = PyObject_CallMethodNoArgs(hasher, T.digest_name);
    if (digest == NULL)
        goto done;
    if (!PyBytes_Check(digest) || PyBytes_GET_SIZE(digest) < HASH_HEX / 2) {
        PyErr_SetString(PyExc_RuntimeError, "sha256().digest() gave no 32-byte digest");
        goto done;
    }
    result = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(o.len + HASH_HEX));
    if (result == NULL)
        goto done;
    char *out = PyBytes_AS_STRING(result);
    const unsigned char *raw = (const unsigned char *)PyBytes_AS_STRING(digest);
    memcpy(out, o.buf, slot);
    for (int i = 0; i < HASH_HEX / 2; i++) {
        out[slot + 2 * i] = HEX[raw[i] >> 4];
        out[slot + 2 * i + 1] = HEX[raw[i] & 15];
    }
    memcpy(out + slot + HASH_HEX, o.buf + slot, o.len - slot);
done:
    /* the memoryview must release its pointer before the buffer goes */
    if (view != NULL) {
        if (Py_REFCNT(view) > 1) { /* someone kept it: make it unusable */
            PyObject *released = PyObject_CallMethod(view, "release", NULL);
            if (released == NULL)
                Py_CLEAR(result);
            Py_XDECREF(released);
        }
        Py_DECREF(view);
    }
    Py_XDECREF(digest);
    Py_XDECREF(hasher);
    PyMem_RawFree(o.buf);
    return result;
}

/* build(seed, size) -> the post's canonical JSON bytes, hash included. */
static PyObject *native_build(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t seed;
    Py_ssize_t profile_i;
    if (parse_args(args, nargs, &seed, &profile_i) < 0)
        return NULL;
    return build_post(seed, profile_i);
}

/* The post's reference as a str (what put_reference writes into its meta). */
static PyObject *reference_str(uint64_t seed)
{
    /* at most 8 + 19 + 1 + 4 characters: the buffer never grows (put() would realloc it) */
    char text[64];
    out_t o = {text, 0, sizeof text, 0};
    uint64_t key = mix64(T.version_key ^ mix64(seed));
    put_reference(&o, seed, mix64((key ^ T.f_reference) + GOLDEN));
    return PyUnicode_DecodeASCII(o.buf, (Py_ssize_t)o.len, NULL);
}

/* build_ref(seed, size) -> (bytes, reference): build() and the post's reference, in one call. */
static PyObject *native_build_ref(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    uint64_t seed;
    Py_ssize_t profile_i;
    if (parse_args(args, nargs, &seed, &profile_i) < 0)
        return NULL;
    PyObject *body = build_post(seed, profile_i);
    if (body == NULL)
        return NULL;
    PyObject *reference = reference_str(seed);
    if (reference == NULL) {
        Py_DECREF(body);
        return NULL;
    }
    PyObject *pair = PyTuple_Pack(2, body, reference);
    Py_DECREF(body);
    Py_DECREF(reference);
    return pair;
}

/* ---- blocks: many posts built and hashed with the GIL released ---------------------------- */

/* ``SHA256(data, len, md)`` of the libcrypto hashlib is built on (``synth.native`` finds it,
 * checks it against hashlib and hands its address over with ``set_sha256``); NULL until then. */
typedef unsigned char *(*sha256_fn_t)(const unsigned char *data, size_t len, unsigned char *md);
static sha256_fn_t sha256_fn = NULL;

/* build_block(seeds, size) -> [(post bytes, reference str)]: build_ref() of every seed. Only the
 * arguments and the results touch Python objects; the posts are built and hashed (reading only
 * C data and the bytes objects init kept) with the GIL released, so a thread can build while
 * the others run. */
static PyObject *native_build_block(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_Format(PyExc_TypeError, "build_block expects 2 arguments (seeds, size), got %zd",
                     nargs);
        return NULL;
    }
    if (sha256_fn == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "build_block needs set_sha256() first");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(args[0], "seeds must be a sequence of ints");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    uint64_t *seeds = PyMem_RawCalloc((size_t)n + 1, sizeof(uint64_t));
    out_t *outs = PyMem_RawCalloc((size_t)n + 1, sizeof(out_t));
    size_t *slots = PyMem_RawCalloc((size_t)n + 1, sizeof(size_t));
    unsigned char *digests = PyMem_RawCalloc((size_t)n + 1, 32);
    PyObject *result = NULL;
    Py_ssize_t profile_i = -1;
    if (seeds == NULL || outs == NULL || slots == NULL || digests == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *pair[2] = {PySequence_Fast_GET_ITEM(seq, i), args[1]};
        if (parse_args(pair, 2, &seeds[i], &profile_i) < 0)
            goto done;
    }
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n && !failed; i++) {
        grow(&outs[i], 16384);
        if (!outs[i].failed)
            slots[i] = build_body(&outs[i], seeds[i], profile_i);
        failed = outs[i].failed;
        if (!failed)
            sha256_fn((const unsigned char *)outs[i].buf, outs[i].len, digests + 32 * i);
    }
    Py_END_ALLOW_THREADS
    if (failed) {
        PyErr_NoMemory();
        goto done;
    }
    result = PyList_New(n);
    if (result == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        const out_t *o = &outs[i];
        size_t slot = slots[i];
        const unsigned char *raw = digests + 32 * i;
        PyObject *body = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(o->len + HASH_HEX));
        if (body == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        char *out = PyBytes_AS_STRING(body);
        memcpy(out, o->buf, slot);
        for (int j = 0; j < HASH_HEX / 2; j++) {
            out[slot + 2 * j] = HEX[raw[j] >> 4];
            out[slot + 2 * j + 1] = HEX[raw[j] & 15];
        }
        memcpy(out + slot + HASH_HEX, o->buf + slot, o->len - slot);
        PyObject *reference = reference_str(seeds[i]);
        PyObject *pair = reference == NULL ? NULL : PyTuple_Pack(2, body, reference);
        Py_DECREF(body);
        Py_XDECREF(reference);
        if (pair == NULL) {
            Py_CLEAR(result);
            goto done;
        }
        PyList_SET_ITEM(result, i, pair);
    }
done:
    if (outs != NULL)
        for (Py_ssize_t i = 0; i < n; i++)
            PyMem_RawFree(outs[i].buf);
    PyMem_RawFree(seeds);
    PyMem_RawFree(outs);
    PyMem_RawFree(slots);
    PyMem_RawFree(digests);
    Py_DECREF(seq);
    return result;
}

/* set_sha256(address): the SHA256 function build_block calls (see sha256_fn). */
static PyObject *native_set_sha256(PyObject *module, PyObject *address)
{
    void *fn = PyLong_AsVoidPtr(address);
    if (fn == NULL) {
        if (!PyErr_Occurred())
            PyErr_SetString(PyExc_ValueError, "set_sha256 needs a function's address");
        return NULL;
    }
    sha256_fn = (sha256_fn_t)fn;
    Py_RETURN_NONE;
}

/* reference(seed) -> the post's reference, ``anp-ref-SSSSSS-NNNN``, without building it. */
static PyObject *native_reference(PyObject *module, PyObject *arg)
{
    PyObject *args[2] = {arg, Py_None};
    uint64_t seed;
    Py_ssize_t profile_i;
    if (parse_args(args, 2, &seed, &profile_i) < 0)
        return NULL;
    return reference_str(seed);
}

/* ---- init: take the tables ---------------------------------------------------------------- */

static PyObject *item(PyObject *tables, const char *name)
{
    PyObject *value = PyDict_GetItemString(tables, name); /* borrowed */
    if (value == NULL) {
        PyErr_Format(PyExc_ValueError, "init: tables has no %s", name);
        return NULL;
    }
    if (PyList_Append(T.keep, value) < 0)
        return NULL;
    return value;
}

/* A tuple of bytes -> frag array; ``expect`` >= 0 requires that length. */
static int get_frags(PyObject *tables, const char *name, Py_ssize_t expect, frag **out,
                     Py_ssize_t *count)
{
    PyObject *value = item(tables, name);
    if (value == NULL)
        return -1;
    if (!PyTuple_Check(value)) {
        PyErr_Format(PyExc_TypeError, "init: %s must be a tuple of bytes", name);
        return -1;
    }
    Py_ssize_t n = PyTuple_GET_SIZE(value);
    if ((expect >= 0 && n != expect) || n == 0) {
        PyErr_Format(PyExc_ValueError, "init: %s has %zd entries, expected %zd", name, n, expect);
        return -1;
    }
    frag *frags = PyMem_Calloc((size_t)n, sizeof(frag));
    if (frags == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *b = PyTuple_GET_ITEM(value, i);
        if (!PyBytes_Check(b)) {
            PyMem_Free(frags);
            PyErr_Format(PyExc_TypeError, "init: %s[%zd] must be bytes", name, i);
            return -1;
        }
        frags[i].p = PyBytes_AS_STRING(b);
        frags[i].n = PyBytes_GET_SIZE(b);
    }
    *out = frags;
    if (count)
        *count = n;
    return 0;
}

static int get_one(PyObject *tables, const char *name, frag *out)
{
    PyObject *value = item(tables, name);
    if (value == NULL)
        return -1;
    if (!PyBytes_Check(value)) {
        PyErr_Format(PyExc_TypeError, "init: %s must be bytes", name);
        return -1;
    }
    out->p = PyBytes_AS_STRING(value);
    out->n = PyBytes_GET_SIZE(value);
    return 0;
}

/* bytes used as a table of small numbers; at least ``expect`` long. */
static int get_table(PyObject *tables, const char *name, Py_ssize_t expect,
                     const unsigned char **out)
{
    frag f;
    if (get_one(tables, name, &f) < 0)
        return -1;
    if (f.n < expect) {
        PyErr_Format(PyExc_ValueError, "init: %s has %zd bytes, expected at least %zd", name,
                     f.n, expect);
        return -1;
    }
    *out = (const unsigned char *)f.p;
    return 0;
}

static int get_u64(PyObject *tables, const char *name, uint64_t *out)
{
    PyObject *value = item(tables, name);
    if (value == NULL)
        return -1;
    unsigned long long v = PyLong_AsUnsignedLongLong(value);
    if (v == (unsigned long long)-1 && PyErr_Occurred())
        return -1;
    *out = v;
    return 0;
}

static int get_count(PyObject *tables, const char *name, Py_ssize_t *out)
{
    uint64_t v;
    if (get_u64(tables, name, &v) < 0)
        return -1;
    if (v < 1 || v > 1000000) {
        PyErr_Format(PyExc_ValueError, "init: %s must be in 1..1000000", name);
        return -1;
    }
    *out = (Py_ssize_t)v;
    return 0;
}

static Py_ssize_t *spaces_of(const frag *f, Py_ssize_t n)
{
    Py_ssize_t *spaces = PyMem_Calloc((size_t)n, sizeof(Py_ssize_t));
    if (spaces == NULL) {
        PyErr_NoMemory();
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++)
        spaces[i] = count_spaces(f[i].p, (size_t)f[i].n);
    return spaces;
}

static int load(PyObject *tables)
{
    Py_ssize_t n;
    if (get_u64(tables, "version_key", &T.version_key) < 0 ||
        get_u64(tables, "f_tails", &T.f_tails) < 0 ||
        get_u64(tables, "f_topic", &T.f_topic) < 0 ||
        get_u64(tables, "f_reference", &T.f_reference) < 0)
        return -1;
    PyObject *lanes = item(tables, "lanes");
    if (lanes == NULL)
        return -1;
    if (!PyTuple_Check(lanes) || PyTuple_GET_SIZE(lanes) != N_LANES) {
        PyErr_Format(PyExc_ValueError, "init: lanes must be a tuple of %d (field, n)", N_LANES);
        return -1;
    }
    for (int i = 0; i < N_LANES; i++) {
        unsigned long long field, number;
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(lanes, i), "KK", &field, &number))
            return -1;
        T.lane_field[i] = field;
        T.lane_step[i] = (uint64_t)number * GOLDEN;
    }
    if (get_frags(tables, "stack_names", -1, &T.stack_names, &T.n_stacks) < 0 ||
        get_frags(tables, "stack_entities", T.n_stacks, &T.stack_entities, NULL) < 0 ||
        get_frags(tables, "stack_meta", T.n_stacks, &T.stack_meta, NULL) < 0 ||
        get_frags(tables, "code_languages", T.n_stacks, &T.code_languages, NULL) < 0 ||
        get_frags(tables, "problems", -1, &T.problems, &T.n_problems) < 0 ||
        get_frags(tables, "problem_entities", T.n_problems, &T.problem_entities, NULL) < 0 ||
        get_table(tables, "problem_spaces", T.n_problems, &T.problem_spaces) < 0 ||
        get_frags(tables, "scenarios", -1, &T.scenarios, &T.n_scenarios) < 0 ||
        get_frags(tables, "people", -1, &T.people, &T.n_people) < 0 ||
        get_frags(tables, "organizations", -1, &T.orgs, &T.n_orgs) < 0 ||
        get_count(tables, "n_bank", &T.n_bank) < 0 ||
        get_count(tables, "n_titles", &T.n_titles) < 0 ||
        get_count(tables, "n_intros", &T.n_intros) < 0 ||
        get_count(tables, "n_finals", &T.n_finals) < 0 ||
        get_count(tables, "n_summaries", &T.n_summary) < 0)
        return -1;
    Py_ssize_t s = T.n_stacks;
    if (get_frags(tables, "opens", s * T.n_bank, &T.opens, NULL) < 0 ||
        get_table(tables, "open_words", s * T.n_bank, &T.open_words) < 0 ||
        get_frags(tables, "closes", s * N_CHOICES, &T.closes, NULL) < 0 ||
        get_table(tables, "close_words", s * N_CHOICES, &T.close_words) < 0 ||
        get_frags(tables, "titles", s * T.n_titles * 3, &T.titles, NULL) < 0 ||
        get_table(tables, "title_scenario", T.n_titles, &T.title_scenario) < 0 ||
        get_frags(tables, "intros", s * T.n_intros * 3, &T.intros, NULL) < 0 ||
        get_frags(tables, "finals", s * T.n_finals * 2, &T.finals, NULL) < 0 ||
        get_table(tables, "final_problem", T.n_finals, &T.final_problem) < 0 ||
        get_frags(tables, "summaries", s * T.n_summary * 3, &T.summaries, NULL) < 0 ||
        get_frags(tables, "code_blocks", -1, &T.code_blocks, &n) < 0)
        return -1;
    const unsigned char *code_counts;
    if (get_table(tables, "code_counts", s, &code_counts) < 0)
        return -1;
    T.code_start = PyMem_Calloc((size_t)s, sizeof(Py_ssize_t));
    T.code_count = PyMem_Calloc((size_t)s, sizeof(Py_ssize_t));
    if (T.code_start == NULL || T.code_count == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t start = 0;
    for (Py_ssize_t i = 0; i < s; i++) {
        if (code_counts[i] == 0) {
            PyErr_SetString(PyExc_ValueError, "init: a stack has no code blocks");
            return -1;
        }
        T.code_start[i] = start;
        T.code_count[i] = code_counts[i];
        start += code_counts[i];
    }
    if (start != n) {
        PyErr_SetString(PyExc_ValueError, "init: code_counts do not add up to code_blocks");
        return -1;
    }
    if (get_table(tables, "open_problems", T.n_bank, &T.open_problems) < 0 ||
        get_table(tables, "close_problems", N_CHOICES, &T.close_problems) < 0 ||
        get_table(tables, "close_owners", N_CHOICES, &T.close_owners) < 0 ||
        get_table(tables, "close_companies", N_CHOICES, &T.close_companies) < 0 ||
        get_table(tables, "close_marked", N_CHOICES, &T.close_marked) < 0 ||
        get_frags(tables, "caption_kinds", -1, &T.caption_kinds, &T.n_kinds) < 0 ||
        get_frags(tables, "unsplash_figure", -1, &T.unsplash_figure, &T.n_photos) < 0 ||
        get_frags(tables, "unsplash_source", T.n_photos, &T.unsplash_source, NULL) < 0 ||
        get_frags(tables, "loremflickr_urls", -1, &T.loremflickr_urls, &T.n_tags) < 0 ||
        get_one(tables, "loremflickr_source", &T.loremflickr_source) < 0 ||
        get_frags(tables, "heading_open", -1, &T.heading_open, &T.n_headings) < 0 ||
        get_frags(tables, "headings", T.n_headings, &T.headings, NULL) < 0 ||
        get_frags(tables, "items", -1, &T.items, &T.n_items) < 0 ||
        get_one(tables, "checklist_open", &T.checklist_open) < 0 ||
        get_frags(tables, "focus", -1, &T.focus, &T.n_focus) < 0 ||
        get_count(tables, "n_briefs", &T.n_brief) < 0 ||
        get_count(tables, "n_actions", &T.n_actions) < 0 ||
        get_frags(tables, "brief_actions", T.n_brief * T.n_actions, &T.brief_actions, NULL) < 0 ||
        get_table(tables, "ai_style", T.n_brief, &T.ai_style) < 0 ||
        get_frags(tables, "common_pairs", -1, &T.common_pairs, &T.n_common_pairs) < 0 ||
        get_frags(tables, "difficulties", -1, &T.difficulties, &T.n_difficulties) < 0 ||
        get_frags(tables, "revisions", -1, &T.revisions, &T.n_revisions) < 0 ||
        get_frags(tables, "review_dates", -1, &T.review_dates, &T.n_review_days) < 0 ||
        get_frags(tables, "notes", 64, &T.notes, &T.n_notes) < 0 ||
        get_count(tables, "n_statuses", &T.n_statuses) < 0 ||
        get_u64(tables, "draft", &T.draft) < 0 ||
        get_u64(tables, "image_heavy", &T.image_heavy) < 0 ||
        get_u64(tables, "review_below", &T.review_below) < 0 ||
        get_u64(tables, "words_per_minute", &T.words_per_minute) < 0 ||
        get_one(tables, "breadcrumb", &T.breadcrumb) < 0 ||
        get_one(tables, "payload_generator", &T.payload_generator) < 0 ||
        get_one(tables, "payload_version", &T.payload_version) < 0)
        return -1;
    if (T.n_photos < 2 || T.n_bank < 2 || T.n_headings < 2 || T.n_items < 2 ||
        T.words_per_minute == 0) {
        PyErr_SetString(PyExc_ValueError,
                        "init: photos, bank, headings and items need 2 entries or more");
        return -1;
    }
    for (Py_ssize_t i = 0; i < T.n_headings; i++) {
        if (T.heading_open[i].n < 3) {
            PyErr_SetString(PyExc_ValueError, "init: heading_open entries start with ]},");
            return -1;
        }
    }
    if ((T.people_spaces = spaces_of(T.people, T.n_people)) == NULL ||
        (T.org_spaces = spaces_of(T.orgs, T.n_orgs)) == NULL ||
        (T.item_words = spaces_of(T.items, T.n_items)) == NULL)
        return -1;
    for (Py_ssize_t i = 0; i < T.n_items; i++)
        T.item_words[i] += 1;

    /* size profiles */
    PyObject *profiles = item(tables, "profiles");
    if (profiles == NULL)
        return -1;
    if (!PyTuple_Check(profiles) || PyTuple_GET_SIZE(profiles) == 0) {
        PyErr_SetString(PyExc_TypeError, "init: profiles must be a tuple of 8-int tuples");
        return -1;
    }
    T.n_profiles = PyTuple_GET_SIZE(profiles);
    T.profiles = PyMem_Calloc((size_t)T.n_profiles, sizeof(profile_t));
    if (T.profiles == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < T.n_profiles; i++) {
        profile_t *p = &T.profiles[i];
        if (!PyArg_ParseTuple(PyTuple_GET_ITEM(profiles, i), "iiiiiiii", &p->sec_lo, &p->sec_hi,
                              &p->par_lo, &p->par_hi, &p->lead_max, &p->check_max, &p->code_lo,
                              &p->code_hi))
            return -1;
        if (p->sec_lo < 1 || p->sec_hi < p->sec_lo || p->sec_hi > MAX_SECTIONS ||
            p->par_lo < 1 || p->par_hi < p->par_lo || p->par_hi > 1000 || p->lead_max < 0 ||
            p->check_max < 0 || p->lead_max + p->check_max > MAX_FIGURES || p->code_lo < 1 ||
            p->code_hi < p->code_lo) {
            PyErr_Format(PyExc_ValueError, "init: size profile %zd is out of the bounds "
                                           "this module supports", i);
            return -1;
        }
    }
    PyObject *size_index = item(tables, "size_index");
    if (size_index == NULL)
        return -1;
    if (!PyDict_Check(size_index)) {
        PyErr_SetString(PyExc_TypeError, "init: size_index must be a dict");
        return -1;
    }
    PyObject *k, *v;
    Py_ssize_t pos = 0;
    while (PyDict_Next(size_index, &pos, &k, &v)) {
        Py_ssize_t i = PyLong_Check(v) ? PyLong_AsSsize_t(v) : -1;
        if (i < 0 || i >= T.n_profiles) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "init: size_index values must index profiles");
            return -1;
        }
    }
    T.size_index = size_index;
    frag natural;
    if (get_one(tables, "natural", &natural) < 0)
        return -1;
    T.natural = (const unsigned char *)natural.p;
    T.n_natural = natural.n;
    if (T.n_natural == 0) {
        PyErr_SetString(PyExc_ValueError, "init: natural must not be empty");
        return -1;
    }
    for (Py_ssize_t i = 0; i < T.n_natural; i++) {
        if (T.natural[i] >= T.n_profiles) {
            PyErr_SetString(PyExc_ValueError, "init: natural entries must index profiles");
            return -1;
        }
    }
    PyObject *sha256 = item(tables, "sha256");
    if (sha256 == NULL)
        return -1;
    if (!PyCallable_Check(sha256)) {
        PyErr_SetString(PyExc_TypeError, "init: sha256 must be callable (hashlib.sha256)");
        return -1;
    }
    T.sha256 = sha256;
    return 0;
}

static PyObject *native_init(PyObject *module, PyObject *tables)
{
    if (T.ready || T.keep != NULL) {
        PyErr_SetString(PyExc_RuntimeError, "synth._native.init() may be called only once");
        return NULL;
    }
    if (!PyDict_Check(tables)) {
        PyErr_SetString(PyExc_TypeError, "init expects a dict of tables");
        return NULL;
    }
    T.keep = PyList_New(0);
    if (T.keep == NULL)
        return NULL;
    T.digest_name = PyUnicode_InternFromString("digest");
    if (T.digest_name == NULL || load(tables) < 0)
        return NULL; /* the half-filled tables stay unused: ready remains 0 */
    T.ready = 1;
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"init", (PyCFunction)native_init, METH_O,
     "init(tables: dict) -> None: take the builder's tables (once; synth.native does it)."},
    {"build", (PyCFunction)(void (*)(void))native_build, METH_FASTCALL,
     "build(seed: int, size: str | None) -> bytes: the post's canonical JSON, hash included."},
    {"build_ref", (PyCFunction)(void (*)(void))native_build_ref, METH_FASTCALL,
     "build_ref(seed: int, size: str | None) -> tuple[bytes, str]: build() and the post's "
     "reference."},
    {"reference", (PyCFunction)native_reference, METH_O,
     "reference(seed: int) -> str: the post's reference, anp-ref-SSSSSS-NNNN."},
    {"build_block", (PyCFunction)(void (*)(void))native_build_block, METH_FASTCALL,
     "build_block(seeds, size: str | None) -> list[tuple[bytes, str]]: build_ref() of each\n"
     "seed, built and hashed with the GIL released (needs set_sha256)."},
    {"set_sha256", (PyCFunction)native_set_sha256, METH_O,
     "set_sha256(address: int) -> None: libcrypto's SHA256 for build_block (synth.native)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT, "synth._native",
    "The anp post builder in C (same bytes as synth.build.build_json_py); see synth.native.", -1,
    methods, NULL, NULL, NULL, NULL,
};

#ifndef ANP_SOURCE_SHA256
#define ANP_SOURCE_SHA256 "" /* unknown: built without setup.py */
#endif

PyMODINIT_FUNC PyInit__native(void)
{
    PyObject *module = PyModule_Create(&moduledef);
    if (module == NULL)
        return NULL;
    /* sha256 of the C source this was built from: synth.native refuses a stale build */
    if (PyModule_AddStringConstant(module, "SOURCE_SHA256", ANP_SOURCE_SHA256) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
