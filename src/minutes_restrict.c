/*
 * minutes_restrict.c - restriction markers: the words and phrases that make an agenda
 * item restricted, and the exclusion motions that restrict the items after them.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes_int.h"

/* ---- restriction markers -------------------------------------------- */

/*
 * Phrases that mark an item restricted wherever they appear: they are what
 * the notices and the Local Government Act resolutions say, and they do not
 * occur in open business. Being wrong here only withholds an open item.
 */
static const char *const strong_markers[]
    = { "not for publication", "exclusion of the press and public", "press and public be excluded",
          "press and public were excluded", "schedule 12a", "exempt information",
          "will not be published", "exempt minute", "taken in private", "considered in private",
          "in private session", "section 50a(4)", "section 50(a)(4)", "schedule 7a",
          "confidential minute", "cannot be made public", NULL };

/*
 * Words that mark an item restricted only in its title, and only in a
 * marker position: at the start followed by punctuation ("Exempt: ...",
 * "RESTRICTED: ...", "Part 2 - ..."), in brackets ("(Confidential)") or
 * last after a separator ("... - Exempt"). Open items use the same words
 * ("Exempt Accommodation Review", "Confidential Reporting Policy") and open
 * minutes talk of officers "on restricted duty", so a bare word is not enough.
 */
static const char *const title_markers[] = { "restricted", "exempt", "confidential", "private",
    "part 2", "part ii", "part b", "part two", NULL };
static const char *const marker_nouns[] = { "items", "item", "information", "report", "business",
    "session", "minutes", "matters", "matter", NULL };

/* The marker at p is denied earlier in its sentence: "there was no exempt
 * information", "no items were taken in private". */
static int
negated(span x, size_t p)
{
    static const char *const neg[] = { "no", "not", "nil", "none", "without", NULL };
    size_t a = p > 48 ? p - 48 : 0, i, k;

    for (i = p; i > a; i--)
        if (strchr(".;:", x.s[i - 1]) != NULL) {
            a = i;
            break;
        }
    for (i = a; i < p; i++)
        for (k = 0; neg[k]; k++)
            if (word_at(x, i, neg[k]))
                return 1;
    return 0;
}

int
bv_mn_strong_marker(span x, span *found)
{
    size_t k, p, n, best = NO_LINE, bestn = 0;

    for (k = 0; strong_markers[k]; k++) {
        n = strlen(strong_markers[k]);
        for (p = 0; p + n <= x.n; p++) {
            if (!word_at(x, p, strong_markers[k]) || negated(x, p))
                continue;
            if (best == NO_LINE || p < best) {
                best = p;
                bestn = n;
            }
            break;
        }
    }
    if (best == NO_LINE)
        return 0;
    *found = mkspan(x.s + best, bestn);
    return 1;
}

static int
separator_before(span x)
{
    x = rtrim(x);
    return x.n > 0
        && (strchr(":-,|", x.s[x.n - 1]) != NULL || ends_with(x, "\xe2\x80\x93")
            || ends_with(x, "\xe2\x80\x94"));
}

int
bv_mn_title_marker(span t, span *found)
{
    size_t k, q, i, n;
    span after, before, end;

    for (k = 0; title_markers[k]; k++) {
        n = strlen(title_markers[k]);
        if (!word_at(t, 0, title_markers[k]))
            continue;
        after = ltrim(skip(t, n));
        for (q = 0; marker_nouns[q]; q++)
            if (word_at(after, 0, marker_nouns[q])) {
                after = ltrim(skip(after, strlen(marker_nouns[q])));
                break;
            }
        if (after.n == 0 || (!is_alnum(byte(after, 0)) && byte(after, 0) < 0x80)
            || byte(after, 0) == 0xe2) {
            *found = mkspan(t.s, n);
            return 1;
        }
    }
    for (i = 0; i < t.n; i++) {
        if (t.s[i] != '(' && t.s[i] != '[')
            continue;
        after = ltrim(skip(t, i + 1));
        for (k = 0; title_markers[k]; k++)
            if (word_at(after, 0, title_markers[k])) {
                *found = mkspan(after.s, strlen(title_markers[k]));
                return 1;
            }
    }
    end = t;
    while (end.n > 0 && end.s[end.n - 1] == '.')
        end = rtrim(mkspan(end.s, end.n - 1));
    for (k = 0; title_markers[k]; k++) {
        n = strlen(title_markers[k]);
        if (end.n <= n || !word_at(end, end.n - n, title_markers[k]))
            continue;
        before = mkspan(end.s, end.n - n);
        if (separator_before(before)) {
            *found = mkspan(end.s + end.n - n, n);
            return 1;
        }
    }
    return 0;
}

/* "Schedule 12A ... paragraph 3" or "paragraph 3 of ... Schedule 12A": 3. */
int
bv_mn_schedule12a_para(span x)
{
    size_t i, j;
    int v;

    if (find_word(x, "schedule 12a") == NO_LINE)
        return 0;
    for (i = 0; i < x.n; i++) {
        if (!prefix_ci(x, i, "para") || (i > 0 && is_alnum(byte(x, i - 1))))
            continue;
        for (j = i + 4; j < x.n && is_alpha(byte(x, j)); j++)
            ;
        if (j < x.n && x.s[j] == '.')
            j++;
        j = (size_t)(ltrim(skip(x, j)).s - x.s);
        for (v = 0; j < x.n && is_digit(byte(x, j)) && v < 100; j++)
            v = v * 10 + (byte(x, j) - '0');
        if (v > 0 && v < 100)
            return v;
    }
    return 0;
}

/* ---- exclusion motions ---------------------------------------------- */

static int
has_word_prefix(span x, const char *w)
{
    size_t i, n = strlen(w);

    for (i = 0; i + n <= x.n; i++)
        if (prefix_ci(x, i, w) && (i == 0 || !is_alnum(byte(x, i - 1))))
            return 1;
    return 0;
}

/*
 * The procedural item that excludes the press and public, or decides which
 * business is taken in private: "Exclusion of the Press and Public",
 * "To consider whether to exclude the Press and Public ...", "Exempt Items",
 * "Determination of Exempt Business". Its own text is public.
 */
int
bv_mn_motion_title(span t)
{
    static const char *const lead[]
        = { "determination of ", "consideration of ", "to consider ", "urgent ", NULL };
    static const char *const whole[] = { "exempt item", "exempt items", "exempt business",
        "exempt information", "private business", "confidential business", "confidential items",
        "items in private", "business in private", "private and confidential items",
        "exempt and confidential items", NULL };
    size_t k;

    if (has_word_prefix(t, "exclu")
        && (find_word(t, "public") != NO_LINE || find_word(t, "press") != NO_LINE))
        return 1;
    if (find_word(t, "taken in private") != NO_LINE)
        return 1;
    for (k = 0; lead[k]; k++)
        if (starts_ci(t, lead[k]))
            t = ltrim(skip(t, strlen(lead[k])));
    while (t.n > 0 && (strchr(".:-", t.s[t.n - 1]) != NULL || ws_len_back(t.s, t.n) > 0))
        t.n -= ws_len_back(t.s, t.n) > 0 ? ws_len_back(t.s, t.n) : 1;
    for (k = 0; whole[k]; k++)
        if (eq_ci(t, whole[k]))
            return 1;
    return 0;
}

/* The motion was put and lost, or said there was nothing to exclude. */
int
bv_mn_motion_declined(span x)
{
    static const char *const w[] = { "not be excluded", "be not excluded", "were not excluded",
        "not to exclude", "no exempt business", "no exempt items", "no items of exempt",
        "no need to exclude", NULL };
    size_t k;

    for (k = 0; w[k]; k++)
        if (find_word(x, w[k]) != NO_LINE)
            return 1;
    return 0;
}

/* The press and public came back: the business after this is open again. */
int
bv_mn_readmitted(span x)
{
    static const char *const w[] = { "readmitted", "re-admitted", "returned to public session",
        "resumed in public", "public session resumed", "returned to open session",
        "reconvened in public", "rejoined the meeting", "re-joined the meeting",
        "returned to the meeting", "re-entered the meeting", "invited back", NULL };
    size_t k;

    for (k = 0; w[k]; k++)
        if (find_word(x, w[k]) != NO_LINE)
            return 1;
    return 0;
}

/*
 * A section heading that opens restricted business between numbered items:
 * "PART II - EXEMPT ITEMS", "Part 2", "Private Session", "Exempt Business".
 * A short line of its own; "PART 1 - PUBLIC" and "UNRESTRICTED ITEMS" are not.
 */
int
bv_mn_restricted_section(span x)
{
    static const char *const part[] = { "part 2", "part ii", "part b", "part two", NULL };
    static const char *const whole[] = { "exempt items", "exempt business", "restricted items",
        "restricted business", "confidential items", "confidential business", "private session",
        "private business", "items in private", "closed session", "exempt information", NULL };
    span rest;
    size_t k;

    if (x.n == 0 || x.n > 60)
        return 0;
    for (k = 0; part[k]; k++) {
        if (!word_at(x, 0, part[k]))
            continue;
        rest = ltrim(skip(x, strlen(part[k])));
        if (rest.n == 0 || !is_alnum(byte(rest, 0)))
            return find_word(rest, "public") == NO_LINE;
    }
    while (x.n > 0 && strchr(".:-", x.s[x.n - 1]) != NULL)
        x = rtrim(mkspan(x.s, x.n - 1));
    for (k = 0; whole[k]; k++)
        if (eq_ci(x, whole[k]))
            return 1;
    return 0;
}

/* An exclusion resolved for the business after this item, not for it:
 * "... excluded from the meeting for the following item(s) of business". */
int
bv_mn_excludes_following(span x)
{
    static const char *const w[] = { "following item", "following items", "following business",
        "remainder of the meeting", "remaining item", "remaining items", "next item",
        "following report", "following reports", "following matter", "following matters", NULL };
    size_t k;

    if (find_word(x, "exclu") == NO_LINE && find_word(x, "excluded") == NO_LINE
        && find_word(x, "exclude") == NO_LINE && find_word(x, "exclusion") == NO_LINE
        && find_word(x, "in private") == NO_LINE)
        return 0;
    for (k = 0; w[k]; k++)
        if (find_word(x, w[k]) != NO_LINE)
            return 1;
    return 0;
}
