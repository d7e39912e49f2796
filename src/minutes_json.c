/*
 * minutes_json.c - the JSON and table dumps of a parsed meeting that import
 * --dry-run and show print.
 */
#define _POSIX_C_SOURCE 200809L
#include "bv_minutes_int.h"

#include <stdio.h>

/* ---- dumps ---------------------------------------------------------- */

static void
json_str_or_null(bv_buf *b, const char *s)
{
    if (s == NULL)
        bv_buf_puts(b, "null");
    else
        bv_json_str(b, s);
}

static const char *
kind_name(bv_blk_kind k)
{
    switch (k) {
    case BV_BLK_PARA:
        return "para";
    case BV_BLK_BULLET:
        return "bullet";
    case BV_BLK_NUMBERED:
        return "numbered";
    case BV_BLK_ACTION:
        return "action";
    case BV_BLK_HEADING:
        return "heading";
    }
    return "para";
}

bv_status
bv_minutes_json(const bv_meeting *m, bv_buf *out)
{
    size_t i, k;

    bv_buf_puts(out, "{\"board\":");
    json_str_or_null(out, m->board);
    bv_buf_puts(out, ",\"date\":");
    json_str_or_null(out, m->date_line);
    bv_buf_puts(out, ",\"date_iso\":");
    json_str_or_null(out, m->date_iso);
    bv_buf_puts(out, ",\"time\":");
    json_str_or_null(out, m->time);
    bv_buf_puts(out, ",\"venue\":");
    json_str_or_null(out, m->venue);
    bv_buf_puts(out, ",\"contact\":");
    json_str_or_null(out, m->contact);
    bv_buf_printf(out, ",\"date_source\":\"%s\"",
        m->date_source == BV_DATE_GIVEN          ? "given"
            : m->date_source == BV_DATE_INFERRED ? "inferred"
                                                 : "printed");
    bv_buf_puts(out, ",\"warnings\":[");
    for (i = 0; i < m->nwarnings; i++) {
        if (i > 0)
            bv_buf_puts(out, ",");
        bv_json_str(out, m->warnings[i]);
    }
    bv_buf_puts(out, "],\"items\":[");
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        bv_buf_printf(out, "%s{\"number\":%d,\"ordinal\":%d,\"label\":", i ? "," : "", it->number,
            it->ordinal);
        json_str_or_null(out, it->label);
        bv_buf_printf(
            out, ",\"exclusion_motion\":%s,\"title\":", it->exclusion_motion ? "true" : "false");
        json_str_or_null(out, it->title);
        bv_buf_printf(out,
            ",\"duration_min\":%d,\"restricted\":%s,\"restriction\":", it->duration_min,
            it->restricted ? "true" : "false");
        json_str_or_null(out, it->restriction);
        bv_buf_printf(out,
            ",\"schedule12a_para\":%d,\"truncated\":%s,\"has_restricted_body\":%s,\"blocks\":[",
            it->schedule12a_para, it->truncated ? "true" : "false",
            it->restricted_body != NULL ? "true" : "false");
        for (k = 0; k < it->nblocks; k++) {
            bv_buf_printf(out, "%s{\"kind\":\"%s\",\"level\":%d,\"text\":", k ? "," : "",
                kind_name(it->blocks[k].kind), it->blocks[k].level);
            json_str_or_null(out, it->blocks[k].text);
            bv_buf_puts(out, "}");
        }
        bv_buf_puts(out, "],\"actions\":[");
        for (k = 0; k < it->nactions; k++) {
            bv_buf_puts(out, k ? ",{\"owners\":" : "{\"owners\":");
            json_str_or_null(out, it->actions[k].owners);
            bv_buf_puts(out, ",\"text\":");
            json_str_or_null(out, it->actions[k].text);
            bv_buf_puts(out, ",\"status\":");
            json_str_or_null(out, it->actions[k].status);
            bv_buf_puts(out, "}");
        }
        bv_buf_puts(out, "]}");
    }
    bv_buf_puts(out, "]}");
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}

bv_status
bv_minutes_table(const bv_meeting *m, bv_buf *out)
{
    size_t i, k, nrestricted = 0, nactions = 0;
    char what[64];

    for (i = 0; i < m->nitems; i++) {
        nrestricted += m->items[i].restricted ? 1 : 0;
        nactions += m->items[i].nactions;
    }
    bv_buf_printf(out, "board:    %s\n", m->board ? m->board : "-");
    bv_buf_printf(out, "date:     %s %s (%s)\n", m->date_iso, m->time ? m->time : "", m->date_line);
    bv_buf_printf(out, "venue:    %s\n", m->venue ? m->venue : "-");
    bv_buf_printf(out, "contact:  %s\n", m->contact ? m->contact : "-");
    bv_buf_printf(
        out, "items:    %zu (%zu restricted, %zu actions)\n\n", m->nitems, nrestricted, nactions);
    bv_buf_printf(out, "%4s  %-36s %4s  %s\n", "No.", "Restricted", "Act", "Title");
    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        if (!it->restricted)
            snprintf(what, sizeof what, "-");
        else if (it->schedule12a_para > 0)
            snprintf(what, sizeof what, "%.20s para %d, %s", it->restriction, it->schedule12a_para,
                it->restricted_body ? "body" : "placeholder");
        else
            snprintf(what, sizeof what, "%.24s, %s", it->restriction,
                it->restricted_body ? "body" : "placeholder");
        bv_buf_printf(out, "%4d  %-36s %4zu  %s%s\n", it->number ? it->number : it->ordinal, what,
            it->nactions, it->title, it->truncated ? " [text incomplete]" : "");
    }
    if (nactions > 0)
        bv_buf_puts(out, "\nactions:\n");
    for (i = 0; i < m->nitems; i++)
        for (k = 0; k < m->items[i].nactions; k++) {
            const bv_action *a = &m->items[i].actions[k];
            bv_buf_printf(out, "%4d  %s: %s%s%s%s\n",
                m->items[i].number ? m->items[i].number : m->items[i].ordinal,
                a->owners ? a->owners : "(no owner)", a->text, a->status ? " [" : "",
                a->status ? a->status : "", a->status ? "]" : "");
        }
    return out->oom ? bv_fail(BV_ERR, "out of memory") : BV_OK;
}
