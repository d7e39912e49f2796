/*
 * bv_minutes.h - published meeting minutes as data: a pure parser that
 * turns a committee system's "Agenda and minutes" page, saved as text, into
 * a bv_meeting, and the renderers that publish its open record. Nothing
 * here touches the vault, the database or any key: the importer seals
 * restricted_body and wipes it; the publisher only ever sees open text.
 *
 * What the parser understands (the two real pages in tests/fixtures and
 * the corpus in ../shared/minutes-corpus are the reference; minutes*.c
 * have the exact rules, docs/DESIGN.md the overview):
 *  - header: page titles ("Agenda and minutes"), the board, the meeting
 *    date as written ("Wednesday, 7 December 2022 10:00 am", "15 th January
 *    2014", "Date: 01/07/2021", "2 Feb 2026 - 14:00 to 17:00") but not
 *    print, upload or next-meeting dates, "Venue:", "Contact:", then the
 *    table heading ("Items", "No. Item", "Note No. Item") which is dropped;
 *  - items numbered as printed, alone on a line before the title or in
 *    front of it ("1.", "112.", "1/16", "CSF 14/1", "CSP319",
 *    "GBP/2223/001:", "Item 5", "(a)", "1)", a bare "1"), choosing the
 *    numbering whose increasing run has the most titles; or unnumbered: a
 *    duration line ("5 minutes") before the title, a title set apart by
 *    blank lines, a heading over numbered paragraphs; text whose line
 *    breaks were lost is cut at a run of item numbers;
 *  - noise dropped: "Minutes:", "Additional documents:", document links
 *    ("pdf icon PDF 131 KB"), "<AI1>" markers, table pipes, page footers,
 *    "... view the full minutes text for item N." (which sets `truncated`);
 *  - bullets of any glyph (•, ·, Ø, o, -, §, ▪, ...) and numbered lists,
 *    sub-headings, "ACTION:" lines;
 *  - restriction markers, in the title ("RESTRICTED:", "Exempt",
 *    "Confidential", "Restricted", "Private", "Part 2", "Part B") or
 *    anywhere ("not for publication", "exclusion of the press and public",
 *    "Schedule 12A", "exempt information", "will not be published",
 *    "Part II Exempt Minute", "taken in private", "section 50A(4)"); and
 *    exclusion motions: the motion's item is open, the items after it
 *    restricted until the public are readmitted.
 */
#ifndef BV_MINUTES_H
#define BV_MINUTES_H

#include "bv.h"

typedef enum {
    BV_BLK_PARA, /* a paragraph; wrapped lines are joined with one space */
    BV_BLK_BULLET, /* a bullet of any glyph; the glyph itself is dropped */
    BV_BLK_NUMBERED, /* "1. text" or "1) text"; renderers number them again */
    BV_BLK_ACTION, /* an "ACTION:" line; text is what follows the colon */
    BV_BLK_HEADING /* a sub-heading inside an item, not an agenda item */
} bv_blk_kind;

typedef struct {
    bv_blk_kind kind;
    /* Lists: nesting 1.. (the first glyph of a list opens level 1, a new
     * glyph one level deeper, a glyph seen before returns to its level).
     * Headings: 1. Paragraphs and actions: 0. */
    int level;
    char *text; /* as written, trimmed, glyph and noise removed */
} bv_block;

/* From "ACTION: <owners> to <text> (<STATUS>)." */
typedef struct {
    char *owners; /* "Fiona Taylor and Jade Hodgson"; NULL when the line names
                     nobody ("Update ... to be presented at ...") */
    char *text; /* what is to be done, without the status and final full stop */
    char *status; /* "COMPLETED", "ONGOING", ... as written; NULL if none */
} bv_action;

typedef struct {
    int number; /* as written ("10." gives 10; "CSF 14/3" 3; "(c)" 3), 0 when the
                   source is unnumbered */
    char *label; /* the number as printed, without a final "." or ":" ("112",
                    "CSF 14/1", "GBP/2223/001", "(a)", "1)"), or NULL */
    int exclusion_motion; /* 1: the procedural item that excludes the press and
                             public; it is open, the items after it are not */
    int ordinal; /* 1-based position in the agenda; "for item N" in unnumbered
                    sources counts this way */
    char *title; /* exactly as written, trimmed, document links removed; a
                    marker in it stays: "RESTRICTED: Domestic Homicide Review" */
    int duration_min; /* from a "5 minutes" line, 0 if none */
    int restricted; /* 1 if any restriction marker was found */
    char *restriction; /* the marker as found ("RESTRICTED", "Exempt", "Part 2",
                          "Schedule 12A", "will not be published"), or NULL */
    int schedule12a_para; /* "Schedule 12A paragraph 3" gives 3, else 0 */
    int truncated; /* the source says "view the full minutes text" */
    /* Open minutes in order. For a restricted item only its public notice
     * ("... will not be published ...") if the source has one, never its body. */
    bv_block *blocks;
    size_t nblocks;
    /* A restricted item's body as found in the source (the raw bytes after
     * the notice, up to the end of the item), else NULL: a placeholder.
     * The caller seals it at once; bv_meeting_free wipes it. */
    uint8_t *restricted_body;
    size_t restricted_body_len;
    bv_action *actions; /* the ACTION lines of open text only */
    size_t nactions;
} bv_agenda_item;

typedef struct bv_meeting {
    char *board; /* "Community Safety Partnership", or NULL if the header has none */
    char *date_line; /* "Wednesday, 7 December 2022 10:00 am" as written */
    char *date_iso; /* "2022-12-07" */
    char *time; /* "10:00" (24-hour), or NULL if the date line gives none */
    char *venue; /* text after "Venue:", or NULL */
    char *contact; /* text after "Contact:", or NULL */
    bv_agenda_item *items;
    size_t nitems;
    /* How date_iso was found: BV_DATE_PRINTED on a header line,
     * BV_DATE_INFERRED from the text ("the working day before the meeting (in
     * this case Friday 12 June 2020)"), BV_DATE_GIVEN by the caller. */
    int date_source;
    /* What the parser guessed and the reader should check, one sentence each
     * (date, numbering, restricted items, another body's minutes). */
    char **warnings;
    size_t nwarnings;
} bv_meeting;

enum { BV_DATE_PRINTED = 0, BV_DATE_INFERRED = 1, BV_DATE_GIVEN = 2 };

typedef struct {
    /* "YYYY-MM-DD": the meeting date, used when the text prints none and in
     * place of a printed one (with a warning when they differ); or NULL */
    const char *date_iso;
    /* the board the minutes are imported into: a warning when the header
     * names another body; or NULL */
    const char *board;
    /* what the text was read from ("PDF", "Word (.docx)", ...), reported
     * as a warning; NULL for UTF-8 text */
    const char *format;
} bv_minutes_opts;

/*
 * Parse minutes text. BV_EINPUT with a message for: empty input, binary
 * (a NUL byte), text that is not UTF-8 ("not UTF-8 at byte offset N") or
 * holds control characters other than tab, CR, LF and form feed, no
 * meeting date in the header, no agenda items, an item number repeated.
 * BV_ERR when out of memory. On success *out is the caller's to free; it
 * holds copies only, so the caller can (and, if the text may hold a
 * restricted body, should) wipe its input buffer right away.
 */
bv_status bv_minutes_parse(const uint8_t *text, size_t len, bv_meeting **out);

/* The same with options (o may be NULL). A date_iso that is not a real
 * YYYY-MM-DD date is BV_EUSAGE. Without a date in the text nor in o the
 * error says to give one (--date). */
bv_status bv_minutes_parse_opts(
    const uint8_t *text, size_t len, const bv_minutes_opts *o, bv_meeting **out);

/* 1 if s is a real calendar date written YYYY-MM-DD. */
int bv_minutes_date_ok(const char *s);

/* Free m and everything in it, wiping each restricted_body first. NULL is fine. */
void bv_meeting_free(bv_meeting *m);

/* The item called N on the command line: by number, or by ordinal when the
 * source is unnumbered. NULL if there is none. */
const bv_agenda_item *bv_minutes_item(const bv_meeting *m, int n);

/*
 * One JSON object (no trailing newline) for import --dry-run and show:
 * header fields and per item its number, ordinal,
 * title, duration, restricted, restriction, schedule12a_para, truncated,
 * has_restricted_body, blocks and actions. Never restricted_body itself.
 */
bv_status bv_minutes_json(const bv_meeting *m, bv_buf *out);

/* The same as an aligned text table for people, ending in a newline. */
bv_status bv_minutes_table(const bv_meeting *m, bv_buf *out);

/*
 * The public document: header (board, date and time, venue, contact), then
 * every item in order with its open minutes; a restricted item as its
 * title and a notice that it is restricted and not published. format is
 * "txt", "md" or "html" (BV_EUSAGE otherwise). The HTML is one
 * self-contained page: inline CSS, no script, everything escaped.
 */
bv_status bv_minutes_publish(const bv_meeting *m, const char *format, bv_buf *out);
void bv_minutes_publish_txt(const bv_meeting *m, bv_buf *out);
void bv_minutes_publish_md(const bv_meeting *m, bv_buf *out);
void bv_minutes_publish_html(const bv_meeting *m, bv_buf *out);

#endif
