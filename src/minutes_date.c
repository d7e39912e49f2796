/*
 * minutes_date.c - the meeting date and the header: dates as councils print them,
 * which of them is the meeting's, board, venue and contact.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes_int.h"

#include <stdint.h>

#include <stdio.h>

/* ---- header --------------------------------------------------------- */

/* "December", "Dec" or "Sept": 1..12, else 0. */
int
bv_mn_month_of(span w)
{
    static const char *const months[] = { "january", "february", "march", "april", "may", "june",
        "july", "august", "september", "october", "november", "december" };
    size_t i;
    int k;

    if (eq_ci(w, "sept"))
        return 9;
    for (k = 0; k < 12; k++) {
        if (eq_ci(w, months[k]))
            return k + 1;
        if (w.n != 3)
            continue;
        for (i = 0; i < 3 && lc(byte(w, i)) == months[k][i]; i++)
            ;
        if (i == 3)
            return k + 1;
    }
    return 0;
}

static int
number_prefix(span w, size_t maxd, size_t *used)
{
    size_t i;
    int v = 0;

    for (i = 0; i < w.n && i < maxd && is_digit(byte(w, i)); i++)
        v = v * 10 + (byte(w, i) - '0');
    *used = i;
    return v;
}

/* A day: "7", "07", "7th". */
static int
day_of(span w)
{
    size_t used;
    int d = number_prefix(w, 2, &used);
    span rest = skip(w, used);

    if (used == 0
        || (rest.n > 0
            && !(eq_ci(rest, "st") || eq_ci(rest, "nd") || eq_ci(rest, "rd") || eq_ci(rest, "th"))))
        return 0;
    return d;
}

/* "2024", "2011." at the end of a sentence. */
static int
year_of(span w)
{
    size_t used;
    int y = number_prefix(w, 4, &used);

    while (w.n > 4 && strchr(".;:)", w.s[w.n - 1]) != NULL)
        w.n--;
    return used == 4 && w.n == 4 && y >= 1900 && y <= 2999 ? y : 0;
}

/* "10:00", "10.00 am", "6.30pm", "7pm" in words w[0] (and w[1]): minutes past midnight. */
static int
time_of(span *w, size_t nw, int *mins)
{
    size_t used, i;
    int h, m = 0, have_m = 0;
    span rest, ampm = { NULL, 0 };

    h = number_prefix(w[0], 2, &used);
    if (used == 0)
        return 0;
    rest = skip(w[0], used);
    if (rest.n >= 3 && (rest.s[0] == ':' || rest.s[0] == '.') && is_digit(byte(rest, 1))
        && is_digit(byte(rest, 2))) {
        m = (byte(rest, 1) - '0') * 10 + (byte(rest, 2) - '0');
        have_m = 1;
        rest = skip(rest, 3);
    }
    if (rest.n > 0)
        ampm = rest;
    else if (nw > 1)
        ampm = w[1];
    if (ampm.s != NULL) {
        char t[5];
        size_t k = 0;
        for (i = 0; i < ampm.n && k < 4; i++)
            if (ampm.s[i] != '.')
                t[k++] = (char)lc((unsigned char)ampm.s[i]);
        t[k] = '\0';
        if (strcmp(t, "am") == 0 || strcmp(t, "pm") == 0) {
            if (h < 1 || h > 12)
                return 0;
            h = t[0] == 'p' ? (h % 12) + 12 : h % 12;
        } else if (rest.n > 0) {
            return 0;
        } else if (!have_m) {
            return 0;
        }
    } else if (!have_m) {
        return 0;
    }
    if (h > 23 || m > 59)
        return 0;
    *mins = h * 60 + m;
    return 1;
}

#define MAX_DATE_WORDS 1024

static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static int
valid_date(int y, int mo, int d)
{
    return mo >= 1 && mo <= 12 && d >= 1 && d <= mdays[mo - 1] && y >= 1900 && y <= 2999
        && !(mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)));
}

/* "2023-03-14": year, month, day. */
static int
iso_date(span w, int *d, int *mo, int *y)
{
    size_t used;

    while (w.n > 10 && strchr(".,;:)", w.s[w.n - 1]) != NULL)
        w.n--;
    if (w.n != 10 || w.s[4] != '-' || w.s[7] != '-')
        return 0;
    *y = number_prefix(w, 4, &used);
    if (used != 4)
        return 0;
    *mo = number_prefix(skip(w, 5), 2, &used);
    if (used != 2)
        return 0;
    *d = number_prefix(skip(w, 8), 2, &used);
    return used == 2 && valid_date(*y, *mo, *d);
}

/* "12/09/2018", "01/07/2021" or "14.03.2023": day, month, year in the UK
 * order; or "2023-03-14". */
static int
numeric_date(span w, int *d, int *mo, int *y)
{
    size_t used;
    span r = w;
    char sep;

    if (iso_date(w, d, mo, y))
        return 1;
    *d = number_prefix(r, 2, &used);
    if (used == 0 || used >= r.n || (r.s[used] != '/' && r.s[used] != '.'))
        return 0;
    sep = r.s[used];
    r = skip(r, used + 1);
    *mo = number_prefix(r, 2, &used);
    if (used == 0 || used >= r.n || r.s[used] != sep)
        return 0;
    r = skip(r, used + 1);
    *y = number_prefix(r, 4, &used);
    while (used < r.n && strchr(".,;:)", r.s[used]) != NULL)
        used++;
    return used == r.n && r.n >= 4 && is_digit(byte(r, 3)) && valid_date(*y, *mo, *d);
}

/* Words of x split at white space and commas; at most max. */
static size_t
words_of(span x, span *w, size_t max)
{
    size_t nw = 0, i = 0, j;

    while (i < x.n && nw < max) {
        while (i < x.n && (ws_len(x.s + i, x.n - i) > 0 || x.s[i] == ','))
            i += x.s[i] == ',' ? 1 : ws_len(x.s + i, x.n - i);
        for (j = i; j < x.n && x.s[j] != ',' && ws_len(x.s + j, x.n - j) == 0; j++)
            ;
        if (j > i)
            w[nw++] = mkspan(x.s + i, j - i);
        i = j;
    }
    return nw;
}

static int
ordinal_word(span w)
{
    return eq_ci(w, "st") || eq_ci(w, "nd") || eq_ci(w, "rd") || eq_ci(w, "th");
}

/*
 * The first date among the words w[0..nw): "7 December 2022", "26th March,
 * 2024", "15 th January 2014", "December 7, 2022", "2 Feb 2026", "12/09/2018".
 * Its first and last word indexes in *a and *b.
 */
/*
 * The first date among the words w[0..nw): "7 December 2022", "26th March,
 * 2024", "15 th January 2014", "7th of December 2022", "December 7, 2022",
 * "2 Feb 2026"; with numeric set, "12/09/2018" (day first) instead. Its
 * first and last word indexes in *a and *b.
 */
static int
date_words(const span *w, size_t nw, int numeric, int *y, int *mo, int *d, size_t *a, size_t *b)
{
    size_t k, dk;

    for (k = 0; k < nw; k++) {
        if (numeric) {
            int t;
            span tw = k + 1 < nw ? w[k + 1] : mkspan("", 0);
            /* "2014-06-23 08:07" is a system's time stamp, not a meeting */
            if (numeric_date(w[k], d, mo, y)
                && !(tw.n == 5 && memchr(tw.s, ':', tw.n) != NULL && time_of(&tw, 1, &t))) {
                *a = *b = k;
                return 1;
            }
            continue;
        }
        if ((*mo = bv_mn_month_of(w[k])) == 0)
            continue;
        dk = k - 1;
        if (k > 1 && (ordinal_word(w[k - 1]) || eq_ci(w[k - 1], "of")))
            dk = k - 2;
        if (k > 0 && k + 1 < nw && (*d = day_of(w[dk])) > 0 && (*y = year_of(w[k + 1])) > 0
            && valid_date(*y, *mo, *d)) {
            *a = dk;
            *b = k + 1;
            return 1;
        }
        if (k + 2 < nw && (*d = day_of(w[k + 1])) > 0 && (*y = year_of(w[k + 2])) > 0
            && valid_date(*y, *mo, *d)) {
            *a = k;
            *b = k + 2;
            return 1;
        }
    }
    return 0;
}

static int
ampm_word(span w)
{
    return eq_ci(w, "am") || eq_ci(w, "pm") || eq_ci(w, "a.m.") || eq_ci(w, "p.m.");
}

static int
weekday_word(span w)
{
    static const char *const days[]
        = { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", NULL };
    size_t k;

    for (k = 0; days[k]; k++)
        if (eq_ci(w, days[k]))
            return 1;
    return 0;
}

/*
 * The first date in x (among its first maxw words), with the time printed
 * within a few words after it. *at is the date as written, from a weekday
 * before it to the time.
 */
int
bv_mn_find_date(span x, size_t maxw, bv_mn_date *out)
{
    span w[MAX_DATE_WORDS];
    size_t nw, a, b, k;
    int y, mo, d, t;

    nw = words_of(x, w, maxw < MAX_DATE_WORDS ? maxw : MAX_DATE_WORDS);
    if (!date_words(w, nw, out->numeric, &y, &mo, &d, &a, &b))
        return 0;
    /* the modulos only tell the compiler the widths; the values are in range */
    snprintf(out->iso, sizeof out->iso, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)mo % 100u,
        (unsigned)d % 100u);
    out->y = y;
    out->mo = mo;
    out->d = d;
    out->has_time = 0;
    if (a > 0 && weekday_word(w[a - 1]))
        a--;
    for (k = b + 1; k < nw && k <= b + 6; k++)
        if (time_of(w + k, nw - k, &t)) {
            snprintf(out->hhmm, sizeof out->hhmm, "%02u:%02u", (unsigned)t / 60u % 100u,
                (unsigned)t % 60u);
            out->has_time = 1;
            b = k + 1 < nw && ampm_word(w[k + 1]) ? k + 1 : k;
            break;
        }
    out->at = mkspan(w[a].s, (size_t)(w[b].s + w[b].n - w[a].s));
    return 1;
}

/* "Wednesday, 7 December 2022 10:00 am" (or "December 7, 2022"): a line that is a date. */
int
bv_mn_date_line(span x, char iso[32], char hhmm[32], int *has_time)
{
    bv_mn_date dt;

    dt.numeric = 0;
    if (!bv_mn_find_date(x, 16, &dt)) {
        dt.numeric = 1;
        if (!bv_mn_find_date(x, 16, &dt))
            return 0;
    }
    memcpy(iso, dt.iso, sizeof dt.iso);
    memcpy(hhmm, dt.hhmm, sizeof dt.hhmm);
    *has_time = dt.has_time;
    return 1;
}

static int
set_field(char **dst, span x)
{
    if (*dst != NULL || x.n == 0)
        return 0;
    return (*dst = dup_span(x)) == NULL ? -1 : 0;
}

/* A date on this line is not the meeting's: printed, uploaded, the next or last meeting. */
static int
other_date(span x)
{
    static const char *const w[] = { "printed", "published", "publication", "uploaded", "upload",
        "next meeting", "previous meeting", "last meeting", "no later than", "deadline",
        "despatched", "dispatched", "views", NULL };
    size_t k;

    for (k = 0; w[k]; k++)
        if (find_word(x, w[k]) != NO_LINE)
            return 1;
    return 0;
}

static int
set_date(bv_meeting *m, span line, const bv_mn_date *dt)
{
    span shown = line.n <= 120 ? line : dt->at;

    if (set_field(&m->date_line, shown) != 0
        || set_field(&m->date_iso, mkspan(dt->iso, strlen(dt->iso))) != 0)
        return -1;
    return dt->has_time ? set_field(&m->time, mkspan(dt->hhmm, strlen(dt->hhmm))) : 0;
}

/* "Licensing Sub-Committee A - Tuesday, 26th March, 2024": the body before the date. */
static span
board_before_date(span line, const bv_mn_date *dt)
{
    span b;

    if (dt->at.s <= line.s || (size_t)(dt->at.s - line.s) > line.n)
        return mkspan(line.s, 0);
    b = rtrim(mkspan(line.s, (size_t)(dt->at.s - line.s)));
    while (b.n > 0 && (strchr("-,:", b.s[b.n - 1]) != NULL || ends_with(b, "\xe2\x80\x93")))
        b = rtrim(mkspan(b.s, b.n - (ends_with(b, "\xe2\x80\x93") ? 3 : 1)));
    return b.n > 3 && b.n <= 120 ? b : mkspan(line.s, 0);
}

/* The first date written with its month's name in the header, else the
 * first written in figures ("Meeting: 12/09/2018"). */
static size_t
header_date(const mline *L, size_t hend, bv_mn_date *dt)
{
    size_t i;
    int pass;

    for (pass = 0; pass < 2; pass++)
        for (i = 0; i < hend; i++) {
            dt->numeric = pass;
            if (L[i].t.n > 0 && !other_date(L[i].t) && bv_mn_find_date(L[i].t, SIZE_MAX, dt))
                return i;
        }
    return NO_LINE;
}

bv_status
bv_mn_parse_header(bv_meeting *m, const mline *L, size_t hend, size_t board_end)
{
    bv_mn_date dt;
    size_t i, dl = header_date(L, hend, &dt);
    int r = 0;
    span x;

    for (i = 0; i < hend && r == 0; i++) {
        x = L[i].t;
        if (x.n == 0 || bv_mn_page_title(x) || bv_mn_items_heading(x))
            continue;
        if (starts_ci(x, "venue:"))
            r = set_field(&m->venue, trim(skip(x, 6)));
        else if (starts_ci(x, "location:"))
            r = set_field(&m->venue, trim(skip(x, 9)));
        else if (starts_ci(x, "contact:"))
            r = set_field(&m->contact, trim(skip(x, 8)));
        else if (i == dl) {
            r = set_date(m, x, &dt);
            if (r == 0 && m->board == NULL && i < board_end)
                r = set_field(&m->board, board_before_date(x, &dt));
        } else if (m->board == NULL && i < board_end && bv_mn_heading_like(x)) {
            r = set_field(&m->board, x);
        }
    }
    return r != 0 ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long
days_from_civil(int y, int mo, int d)
{
    long era, yoe, doy, doe;

    y -= mo <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (long)y - era * 400;
    doy = (153L * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil_from_days(long z, int *y, int *mo, int *d)
{
    long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*mo <= 2));
}

/*
 * No date in the header: the meeting date worked out from a deadline that
 * names it, "no later than 9.00am on the working day before the meeting (in
 * this case Friday 12 June 2020)" gives the next working day, Monday 15 June
 * 2020. The line it came from in *line (1-based). 1 if found.
 */
int
bv_mn_infer_date(const mline *L, size_t a, size_t b, bv_mn_date *out, size_t *line)
{
    size_t i, p;
    long z;
    int wd;

    for (i = a; i < b; i++) {
        out->numeric = 0;
        p = find_word(L[i].t, "working day before the meeting");
        if (p == NO_LINE || !bv_mn_find_date(skip(L[i].t, p), SIZE_MAX, out))
            continue;
        z = days_from_civil(out->y, out->mo, out->d);
        do {
            z++;
            wd = (int)((z % 7 + 10) % 7); /* 0 is Monday: 1970-01-01 was a Thursday */
        } while (wd >= 5);
        civil_from_days(z, &out->y, &out->mo, &out->d);
        snprintf(out->iso, sizeof out->iso, "%04u-%02u-%02u", (unsigned)out->y % 10000u,
            (unsigned)out->mo % 100u, (unsigned)out->d % 100u);
        out->has_time = 0;
        *line = i + 1;
        return 1;
    }
    return 0;
}

/* 1 if s is a real date written YYYY-MM-DD. */
int
bv_minutes_date_ok(const char *s)
{
    int y, mo, d;
    size_t i;

    if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !is_digit((unsigned char)s[i]))
            return 0;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    mo = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    return valid_date(y, mo, d);
}
