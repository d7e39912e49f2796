/*
 * minutes_blocks.c - an agenda item's text as open blocks and actions, or as a
 * restricted body kept apart for sealing.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes_int.h"

/* ---- building the meeting ------------------------------------------- */

/* Room for element n of p (cap elements now): the array, maybe moved, or NULL. */
void *
bv_mn_grow(void *p, size_t *cap, size_t n, size_t elem)
{
    size_t c = *cap ? *cap * 2 : 8;
    void *q;

    if (n < *cap)
        return p;
    if ((q = realloc(p, c * elem)) == NULL)
        return NULL;
    *cap = c;
    return q;
}

static int
add_block(bv_agenda_item *it, size_t *cap, bv_blk_kind kind, int level, span text)
{
    bv_block *b;

    if ((b = bv_mn_grow(it->blocks, cap, it->nblocks, sizeof *b)) == NULL)
        return -1;
    it->blocks = b;
    b += it->nblocks;
    b->kind = kind;
    b->level = level;
    if ((b->text = dup_span(text)) == NULL)
        return -1;
    it->nblocks++;
    return 0;
}

/* Wrapped text: the next line of a paragraph or list item. */
static int
append_text(bv_block *b, span more)
{
    size_t n = strlen(b->text);
    char *p = realloc(b->text, n + 1 + more.n + 1);

    if (p == NULL)
        return -1;
    p[n] = ' ';
    memcpy(p + n + 1, more.s, more.n);
    p[n + 1 + more.n] = '\0';
    b->text = p;
    return 0;
}

static int
known_status(span x)
{
    static const char *const st[] = { "completed", "complete", "done", "ongoing", "open", "closed",
        "in progress", "carried forward", "deferred", "outstanding", "pending", NULL };
    size_t k;

    for (k = 0; st[k]; k++)
        if (eq_ci(x, st[k]))
            return 1;
    return 0;
}

/*
 * "Daniel James to contact Stuart Bell ... (COMPLETED)." gives owners
 * "Daniel James", the text up to the status, status "COMPLETED". The owners
 * are what comes before the first " to ", unless the sentence is passive
 * ("Update ... to be presented at ..."): then it names nobody.
 */
static int
add_action(bv_agenda_item *it, size_t *cap, span r)
{
    bv_action *a;
    span x = r, status = { NULL, 0 };
    size_t i, open;

    if ((a = bv_mn_grow(it->actions, cap, it->nactions, sizeof *a)) == NULL)
        return -1;
    it->actions = a;
    a += it->nactions;
    memset(a, 0, sizeof *a);
    if (x.n > 0 && x.s[x.n - 1] == '.')
        x = rtrim(mkspan(x.s, x.n - 1));
    if (x.n > 0 && x.s[x.n - 1] == ')') {
        for (open = x.n - 1; open > 0 && x.s[open] != '('; open--)
            ;
        if (x.s[open] == '(' && known_status(trim(mkspan(x.s + open + 1, x.n - open - 2)))) {
            status = trim(mkspan(x.s + open + 1, x.n - open - 2));
            x = rtrim(mkspan(x.s, open));
        }
    }
    if (x.n > 0 && x.s[x.n - 1] == '.')
        x = rtrim(mkspan(x.s, x.n - 1));
    for (i = 0; i + 4 <= x.n; i++)
        if (prefix_ci(x, i, " to "))
            break;
    if (i > 0 && i + 4 <= x.n && i <= MAX_OWNERS && !word_at(x, i + 4, "be")) {
        if ((a->owners = dup_span(mkspan(x.s, i))) == NULL)
            return -1;
        x = ltrim(skip(x, i + 4));
    }
    it->nactions++; /* counted now so that bv_meeting_free sees what is set */
    if ((a->text = dup_span(x)) == NULL)
        return -1;
    if (status.s != NULL && (a->status = dup_span(status)) == NULL)
        return -1;
    return 0;
}

/* Nesting by glyph: see bv_block.level. */
static int
list_level(int *stack, size_t *depth, int cls)
{
    size_t i;

    for (i = 0; i < *depth; i++)
        if (stack[i] == cls) {
            *depth = i + 1;
            return (int)*depth;
        }
    if (*depth < MAX_LEVEL)
        (*depth)++;
    stack[*depth - 1] = cls;
    return (int)*depth;
}

/*
 * A page number run into the text: the line before stops mid-sentence and
 * this one starts with a number and goes on in lower case ("110 confirmed
 * that ..."). The text after the number in *rest.
 */
static int
page_number_run_in(span x, span prev, span *rest)
{
    size_t i;

    if (prev.n == 0 || strchr(".:;!?)", prev.s[prev.n - 1]) != NULL)
        return 0;
    for (i = 0; i < x.n && i < 4 && is_digit(byte(x, i)); i++)
        ;
    if (i == 0 || i > 3 || i >= x.n || ws_len(x.s + i, x.n - i) == 0)
        return 0;
    *rest = ltrim(skip(x, i));
    return rest->n > 0 && byte(*rest, 0) >= 'a' && byte(*rest, 0) <= 'z';
}

/*
 * The open minutes of lines [b0, b1) as blocks and actions. A sub-heading
 * is a title-like line closer to the text below it than to the text above
 * (two or more blank lines before, fewer after, and text of the item after
 * it): how the page sets off "Children and Young People (CYP)" inside an
 * item. A line cut short by "view the full minutes text" is never one.
 */
static int
open_blocks(bv_agenda_item *it, const mline *L, size_t b0, size_t b1)
{
    size_t i, bcap = 0, acap = 0, depth = 0, cont = NO_LINE;
    int stack[MAX_LEVEL], kind, cls, cut;
    span x, r, prev = { NULL, 0 };

    for (i = b0; i < b1; i++) {
        x = L[i].t;
        if (x.n == 0 || bv_mn_noise_line(x)) {
            cont = NO_LINE;
            continue;
        }
        cut = bv_mn_strip_truncation(&x);
        if (cut && x.n == 0) {
            cont = NO_LINE;
            continue;
        }
        if (page_number_run_in(x, prev, &r)) {
            /* "... who had" / "110 confirmed that ...": the sentence goes on */
            x = r;
            if (it->nblocks > 0 && it->blocks[it->nblocks - 1].kind != BV_BLK_HEADING
                && it->blocks[it->nblocks - 1].kind != BV_BLK_ACTION)
                cont = it->nblocks - 1;
        }
        prev = x;
        if (bv_mn_action_line(x, &r)) {
            if (add_block(it, &bcap, BV_BLK_ACTION, 0, r) != 0 || add_action(it, &acap, r) != 0)
                return -1;
            depth = 0;
            cont = NO_LINE;
        } else if ((kind = bv_mn_list_item(x, &cls, &r)) >= 0) {
            if (add_block(it, &bcap, (bv_blk_kind)kind, list_level(stack, &depth, cls), r) != 0)
                return -1;
            cont = it->nblocks - 1;
        } else if (!cut && bv_mn_heading_like(x) && L[i].gap_before >= 2 && L[i].gap_after >= 1
            && L[i].gap_after < L[i].gap_before && i + L[i].gap_after + 1 < b1) {
            if (add_block(it, &bcap, BV_BLK_HEADING, 1, x) != 0)
                return -1;
            depth = 0;
            cont = NO_LINE;
        } else if (cont != NO_LINE) {
            if (append_text(&it->blocks[cont], x) != 0)
                return -1;
        } else {
            if (add_block(it, &bcap, BV_BLK_PARA, 0, x) != 0)
                return -1;
            depth = 0;
            cont = it->nblocks - 1;
        }
    }
    return 0;
}

/*
 * A restricted item: the leading notice paragraphs (short, and saying it is
 * not published) stay as open text; everything after them, from the first
 * other line to the item's last line, is the body, copied raw and never
 * turned into blocks or actions. A notice-like sentence after the body
 * starts stays inside it: when in doubt the text is sealed, not published.
 */
static int
restricted_blocks(bv_agenda_item *it, const mline *L, size_t b0, size_t b1, const uint8_t *src)
{
    size_t i, last, bcap = 0;
    span x, found;

    for (i = b0; i < b1; i++) {
        x = L[i].t;
        if (x.n == 0 || bv_mn_noise_line(x))
            continue;
        bv_mn_strip_truncation(&x);
        if (x.n == 0 || x.n > MAX_NOTICE || !bv_mn_strong_marker(x, &found))
            break;
        if (add_block(it, &bcap, BV_BLK_PARA, 0, x) != 0)
            return -1;
    }
    for (last = b1; last > i && L[last - 1].t.n == 0; last--)
        ;
    if (i >= last)
        return 0;
    it->restricted_body_len = L[last - 1].end - L[i].off;
    if ((it->restricted_body = malloc(it->restricted_body_len)) == NULL) {
        it->restricted_body_len = 0;
        return -1;
    }
    memcpy(it->restricted_body, src + L[i].off, it->restricted_body_len);
    return 0;
}

/*
 * One agenda item from its lines [b0, b1). It is restricted by a marker in
 * its title or text, or, with none, by `inherited`: the exclusion of the
 * press and public that an earlier item resolved. An exclusion motion is
 * itself open, whatever its text cites.
 */
bv_status
bv_mn_build_item(bv_agenda_item *it, const mline *L, size_t b0, size_t b1, const uint8_t *src,
    const char *inherited, int inherited_para)
{
    span found = { NULL, 0 }, x;
    size_t i;
    int has = 0;

    x = mkspan(it->title, strlen(it->title));
    it->exclusion_motion = bv_mn_motion_title(x);
    if (!it->exclusion_motion && (bv_mn_title_marker(x, &found) || bv_mn_strong_marker(x, &found)))
        has = 1;
    it->schedule12a_para = bv_mn_schedule12a_para(x);
    for (i = b0; i < b1; i++) {
        x = L[i].t;
        if (!has && !it->exclusion_motion && bv_mn_strong_marker(x, &found)) {
            /* "... be excluded for the following item": a motion in the text */
            if (bv_mn_excludes_following(x))
                it->exclusion_motion = 1;
            else
                has = 1;
        }
        if (it->schedule12a_para == 0)
            it->schedule12a_para = bv_mn_schedule12a_para(x);
        if (bv_mn_strip_truncation(&x))
            it->truncated = 1;
    }
    if (!has && !it->exclusion_motion && inherited != NULL) {
        has = 1;
        found = mkspan(inherited, strlen(inherited));
        if (it->schedule12a_para == 0)
            it->schedule12a_para = inherited_para;
    }
    if (has) {
        it->restricted = 1;
        if ((it->restriction = dup_span(found)) == NULL)
            return bv_fail(BV_ERR, "out of memory");
    }
    if ((has ? restricted_blocks(it, L, b0, b1, src) : open_blocks(it, L, b0, b1)) != 0)
        return bv_fail(BV_ERR, "out of memory");
    return BV_OK;
}
