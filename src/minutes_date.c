/*
 * minutes_date.c - the meeting date and the header: dates as councils print them,
 * which of them is the meeting's, board, venue and contact.
 */
#define _POSIX_C_SOURCE 200809L
#include "minutes_int.h"

#include <stdio.h>

/* ---- header --------------------------------------------------------- */

/* "December", "Dec" or "Sept": 1..12, else 0. */
static int
month_of(span w)
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

static int
year_of(span w)
{
    size_t used;
    int y = number_prefix(w, 4, &used);

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

/* "Wednesday, 7 December 2022 10:00 am" (or "December 7, 2022"). */
int
bv_mn_date_line(span x, char iso[32], char hhmm[32], int *has_time)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    span w[16];
    size_t nw = 0, i = 0, j, k;
    int d = 0, mo = 0, y = 0, t;

    while (i < x.n && nw < 16) {
        while (i < x.n && (ws_len(x.s + i, x.n - i) > 0 || x.s[i] == ','))
            i += x.s[i] == ',' ? 1 : ws_len(x.s + i, x.n - i);
        for (j = i; j < x.n && x.s[j] != ',' && ws_len(x.s + j, x.n - j) == 0; j++)
            ;
        if (j > i)
            w[nw++] = mkspan(x.s + i, j - i);
        i = j;
    }
    for (k = 0; k < nw; k++) {
        if ((mo = month_of(w[k])) == 0)
            continue;
        if (k > 0 && k + 1 < nw && (d = day_of(w[k - 1])) > 0 && (y = year_of(w[k + 1])) > 0)
            break;
        if (k + 2 < nw && (d = day_of(w[k + 1])) > 0 && (y = year_of(w[k + 2])) > 0) {
            k++;
            break;
        }
        mo = 0;
    }
    if (mo == 0 || d < 1 || d > mdays[mo - 1]
        || (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return 0;
    /* the modulos only tell the compiler the widths; the values are in range */
    snprintf(
        iso, 32, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)mo % 100u, (unsigned)d % 100u);
    *has_time = 0;
    for (k += 2; k < nw; k++)
        if (time_of(w + k, nw - k, &t)) {
            snprintf(hhmm, 32, "%02u:%02u", (unsigned)t / 60u % 100u, (unsigned)t % 60u);
            *has_time = 1;
            break;
        }
    return 1;
}

static int
set_field(char **dst, span x)
{
    if (*dst != NULL || x.n == 0)
        return 0;
    return (*dst = dup_span(x)) == NULL ? -1 : 0;
}

bv_status
bv_mn_parse_header(bv_meeting *m, const mline *L, size_t hend)
{
    char iso[32], hhmm[32];
    size_t i;
    int has_time, r = 0;
    span x;

    for (i = 0; i < hend && r == 0; i++) {
        x = L[i].t;
        if (x.n == 0 || bv_mn_page_title(x) || bv_mn_items_heading(x))
            continue;
        if (starts_ci(x, "venue:"))
            r = set_field(&m->venue, trim(skip(x, 6)));
        else if (starts_ci(x, "contact:"))
            r = set_field(&m->contact, trim(skip(x, 8)));
        else if (m->date_line == NULL && bv_mn_date_line(x, iso, hhmm, &has_time)) {
            r = set_field(&m->date_line, x);
            if (r == 0)
                r = set_field(&m->date_iso, mkspan(iso, strlen(iso)));
            if (r == 0 && has_time)
                r = set_field(&m->time, mkspan(hhmm, strlen(hhmm)));
        } else if (m->board == NULL) {
            r = set_field(&m->board, x);
        }
    }
    if (r != 0)
        return bv_fail(BV_ERR, "out of memory");
    if (m->date_line == NULL)
        return bv_fail(BV_EINPUT,
            "no meeting found: no date line (such as \"Wednesday, 7 December "
            "2022 10:00 am\") before the first agenda item");
    return BV_OK;
}
