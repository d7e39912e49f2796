/* test_minutes.c - the minutes parser and publisher against the two real pages and variants. */
#include "bvtest.h"
#include "bv_minutes.h"

#include <sodium.h>

#define SECRET "ZZ-SECRET-MARKER-7f3a"

typedef struct {
    int number; /* 0 for an unnumbered source */
    const char *title;
    int duration;
    const char *restriction; /* NULL: an open item */
    int truncated;
    size_t nactions;
} want_item;

typedef struct {
    int item; /* number, or ordinal when unnumbered */
    const char *owners; /* NULL: names nobody */
    const char *text_start;
    const char *status;
} want_action;

static uint8_t *
load(const char *name, size_t *len)
{
    char path[512];
    uint8_t *p;
    FILE *f;
    long n;

    snprintf(path, sizeof path, "%s/tests/fixtures/%s", BV_TOP, name);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0'; /* for strstr; len stays the file's */
    fclose(f);
    *len = (size_t)n;
    return p;
}

static bv_meeting *
parse_mem(const void *text, size_t len)
{
    bv_meeting *m = NULL;
    bv_status st;

    bv_err_clear();
    st = bv_minutes_parse(text, len, &m);
    if (st != BV_OK)
        fail_msg("parse failed (%d): %s", st, bv_errmsg());
    assert_non_null(m);
    return m;
}

static bv_meeting *
parse_fixture(const char *name)
{
    size_t len;
    uint8_t *p = load(name, &len);
    bv_meeting *m = parse_mem(p, len);

    free(p);
    return m;
}

/* The status of a parse that must fail, with its message in msg. */
static bv_status
parse_bad(const void *text, size_t len, const char **msg)
{
    bv_meeting *m = (bv_meeting *)1;
    bv_status st;

    bv_err_clear();
    st = bv_minutes_parse(text, len, &m);
    assert_null(m);
    *msg = bv_errmsg();
    return st;
}

static void
check_items(const bv_meeting *m, const want_item *w, size_t n)
{
    size_t i;

    assert_int_equal(m->nitems, n);
    for (i = 0; i < n; i++) {
        const bv_agenda_item *it = &m->items[i];
        assert_int_equal(it->number, w[i].number);
        assert_int_equal(it->ordinal, (int)i + 1);
        assert_string_equal(it->title, w[i].title);
        assert_int_equal(it->duration_min, w[i].duration);
        assert_int_equal(it->restricted, w[i].restriction != NULL);
        if (w[i].restriction)
            assert_string_equal(it->restriction, w[i].restriction);
        else
            assert_null(it->restriction);
        assert_int_equal(it->truncated, w[i].truncated);
        assert_int_equal(it->nactions, w[i].nactions);
    }
}

static void
check_actions(const bv_meeting *m, const want_action *w, size_t n)
{
    size_t i, k, j = 0;

    for (i = 0; i < m->nitems; i++) {
        const bv_agenda_item *it = &m->items[i];
        for (k = 0; k < it->nactions; k++, j++) {
            const bv_action *a = &it->actions[k];
            assert_true(j < n);
            assert_int_equal(it->number ? it->number : it->ordinal, w[j].item);
            if (w[j].owners)
                assert_string_equal(a->owners, w[j].owners);
            else
                assert_null(a->owners);
            if (strncmp(a->text, w[j].text_start, strlen(w[j].text_start)) != 0)
                fail_msg("action %zu: \"%s\" does not start \"%s\"", j, a->text, w[j].text_start);
            if (w[j].status)
                assert_string_equal(a->status, w[j].status);
            else
                assert_null(a->status);
        }
    }
    assert_int_equal(j, n);
}

static int
contains(const bv_buf *b, const char *s)
{
    return b->p != NULL && strstr((const char *)b->p, s) != NULL;
}

static size_t
count(const bv_buf *b, const char *s)
{
    const char *p = b->p ? (const char *)b->p : "";
    size_t n = 0;

    while ((p = strstr(p, s)) != NULL) {
        n++;
        p += strlen(s);
    }
    return n;
}

static void
render(const bv_meeting *m, const char *format, bv_buf *b)
{
    bv_buf_init(b);
    if (strcmp(format, "json") == 0)
        assert_int_equal(bv_minutes_json(m, b), BV_OK);
    else if (strcmp(format, "table") == 0)
        assert_int_equal(bv_minutes_table(m, b), BV_OK);
    else
        assert_int_equal(bv_minutes_publish(m, format, b), BV_OK);
    assert_false(b->oom);
    assert_true(b->len > 0);
}

/* Nothing of the page's furniture may survive into titles or blocks. */
static void
check_no_noise(const bv_meeting *m)
{
    static const char *const noise[] = { "pdf icon", "view the full minutes",
        "Additional documents", "Minutes:", "No. Item", NULL };
    size_t i, k, q;

    for (i = 0; i < m->nitems; i++) {
        for (q = 0; noise[q]; q++)
            assert_null(strstr(m->items[i].title, noise[q]));
        for (k = 0; k < m->items[i].nblocks; k++)
            for (q = 0; noise[q]; q++)
                if (strstr(m->items[i].blocks[k].text, noise[q]) != NULL)
                    fail_msg("item %zu block %zu holds \"%s\"", i + 1, k, noise[q]);
    }
}

/* HTML, txt and md of a meeting: every title present, one notice per restricted item. */
static void
check_publish(const bv_meeting *m)
{
    bv_buf html, txt, md;
    size_t i, nrestricted = 0;

    render(m, "html", &html);
    render(m, "txt", &txt);
    render(m, "md", &md);
    assert_true(strncmp((const char *)html.p, "<!DOCTYPE html>\n", 16) == 0);
    assert_true(contains(&html, "<html lang=\"en\">"));
    assert_true(contains(&html, "<meta charset=\"utf-8\">"));
    assert_true(contains(&html, "<title>"));
    assert_true(contains(&html, "<style>"));
    assert_false(contains(&html, "<script"));
    assert_false(contains(&html, "src="));
    assert_int_equal(count(&html, "<h1>"), 1);
    assert_int_equal(count(&html, "<h2 "), m->nitems);
    assert_int_equal(count(&html, "<ul>"), count(&html, "</ul>"));
    assert_int_equal(count(&html, "<ol>"), count(&html, "</ol>"));
    assert_int_equal(count(&html, "<li>"), count(&html, "</li>"));
    assert_true(contains(&html, "</html>\n"));
    for (i = 0; i < m->nitems; i++) {
        nrestricted += m->items[i].restricted ? 1 : 0;
        assert_true(contains(&txt, m->items[i].title));
        if (strpbrk(m->items[i].title, "\\`*_[]<>#|~&!") == NULL) /* else escaped */
            assert_true(contains(&md, m->items[i].title));
    }
    assert_int_equal(count(&html, "class=\"restricted\" role=\"note\""), nrestricted);
    assert_int_equal(count(&html, "This item is restricted and is not published."), nrestricted);
    assert_int_equal(count(&txt, "This item is restricted and is not published."), nrestricted);
    assert_int_equal(count(&md, "This item is restricted and is not published."), nrestricted);
    bv_buf_free(&html);
    bv_buf_free(&txt);
    bv_buf_free(&md);
}

static void
test_seed_2019(void **state)
{
    static const want_item items[] = {
        { 0, "Introductions and Apologies for Absence", 2, NULL, 0, 0 },
        { 0, "Declaration of Interests", 2, NULL, 0, 0 },
        { 0, "Minutes", 5, NULL, 0, 0 },
        { 0, "Sub-Group Update Reports", 10, NULL, 1, 1 },
        { 0, "Safer Neighbourhood Board Update", 5, NULL, 1, 0 },
        { 0, "Performance Report", 5, NULL, 0, 2 },
        { 0, "CRC Consultation Update", 0, NULL, 0, 1 },
        { 0, "Modern Slavery Update", 0, NULL, 0, 1 },
        { 0, "CVS - Network and Coordinator Post", 0, NULL, 0, 4 },
        { 0, "Hate Crime Strategy", 0, NULL, 0, 1 },
        { 0, "MPS tri-borough plans and Policing Numbers", 0, NULL, 0, 2 },
        { 0, "RESTRICTED: Domestic Violence Homicide Review", 0, "RESTRICTED", 0, 0 },
        { 0, "RESTRICTED: Stephen Port Case", 0, "RESTRICTED", 0, 0 },
        { 0, "Forward Plan", 5, NULL, 0, 0 },
        { 0, "Any Other Business", 5, NULL, 0, 0 },
        { 0, "Date of Next Meeting", 2, NULL, 0, 0 },
    };
    static const want_action actions[] = {
        { 4, "Fiona Taylor and Jade Hodgson", "conduct CSP Governance and membership review",
            NULL },
        { 6, "Fiona Taylor", "follow up council lead in response to breakdown lists", NULL },
        { 6, "Fiona Taylor", "discuss with comms and push through social media", NULL },
        { 7, "Steve Calder", "provide a presentation at Junes board", NULL },
        { 8, "Andy Opie", "link in with Hazel North-Stephens to agree and pilot/ test training",
            NULL },
        { 9, "CSP", "help promote local network and local needs assessment", NULL },
        { 9, "Rita Chadha", "provide update on progress of network at June\xe2\x80\x99s board",
            NULL },
        { 9, "Rita Chadha", "bring bespoke safeguarding training package to CSP", NULL },
        { 9, "Members", "report questions back to Rita and Rita to provide overview", NULL },
        { 10, NULL, "Update on progress of Hate Crime strategy to be presented", NULL },
        { 11, "Detective Superintendent Chaudri", "look into school officers for PRU", NULL },
        { 11, "Detective Superintendent Chaudri", "confirm correct policing numbers", NULL },
    };
    static const char *const subheadings[]
        = { "Children and Young People (CYP)", "Hate Crime, Intolerance and Extremism (HIE)",
              "Managing Offenders", "Violence against Women and Girls (VAWG)" };
    bv_meeting *m = parse_fixture("minutes-2019-03-27-csp.txt");
    const bv_agenda_item *it;
    size_t i, h = 0;
    (void)state;

    assert_string_equal(m->board, "Community Safety Partnership");
    assert_string_equal(m->date_line, "Wednesday, 27 March 2019 10:00 am");
    assert_string_equal(m->date_iso, "2019-03-27");
    assert_string_equal(m->time, "10:00");
    assert_string_equal(
        m->venue, "Conference Centre, Barking Learning Centre, Town Square, Barking");
    assert_string_equal(m->contact, "Jade Hodgson, Community Safety Policy Officer");
    check_items(m, items, sizeof items / sizeof items[0]);
    check_actions(m, actions, sizeof actions / sizeof actions[0]);
    check_no_noise(m);

    /* the sub-group headings are headings inside item 4, not items */
    it = &m->items[3];
    for (i = 0; i < it->nblocks; i++)
        if (it->blocks[i].kind == BV_BLK_HEADING) {
            assert_true(h < 4);
            assert_string_equal(it->blocks[i].text, subheadings[h++]);
        }
    assert_int_equal(h, 4);
    assert_int_equal(it->blocks[1].kind, BV_BLK_BULLET); /* "·" */
    assert_int_equal(it->blocks[1].level, 1);
    /* cut short where the page links to the full text */
    assert_string_equal(it->blocks[it->nblocks - 1].text,
        "Hestia \xe2\x80\x9c"
        "everyone business\xe2\x80\x9d can");

    /* the restricted items keep their public notice and have no body */
    for (i = 11; i <= 12; i++) {
        it = &m->items[i];
        assert_null(it->restricted_body);
        assert_int_equal(it->nblocks, 1);
        assert_int_equal(it->blocks[0].kind, BV_BLK_PARA);
        assert_string_equal(it->blocks[0].text,
            "This item is restricted, minutes from the board have been sent to members and will "
            "not be published due to sensitive information.");
    }
    /* "officers on restricted duty" in open text does not restrict item 11 */
    assert_int_equal(m->items[10].restricted, 0);

    it = &m->items[13]; /* Forward Plan: a numbered list */
    assert_int_equal(it->nblocks, 3);
    assert_int_equal(it->blocks[1].kind, BV_BLK_NUMBERED);
    assert_string_equal(
        it->blocks[1].text, "IGU presentation on findings and functions of the unit (June Board)");
    assert_int_equal(it->blocks[2].kind, BV_BLK_NUMBERED);

    assert_ptr_equal(bv_minutes_item(m, 13), &m->items[12]); /* by ordinal */
    assert_null(bv_minutes_item(m, 17));
    check_publish(m);
    bv_meeting_free(m);
}

static void
test_seed_2022(void **state)
{
    static const want_item items[] = {
        { 1, "Introductions and Apologies for Absence", 0, NULL, 0, 0 },
        { 2, "Declarations of Interest", 0, NULL, 0, 0 },
        { 3, "Minutes", 0, NULL, 0, 7 },
        { 4, "Combating Drugs Partnership", 0, NULL, 1, 0 },
        { 5, "RESTRICTED: Domestic Homicide Review", 0, "RESTRICTED", 0, 0 },
        { 6, "Forward Plan", 0, NULL, 0, 0 },
        { 7, "Sub-group Update", 0, NULL, 0, 0 },
        { 8, "Safer Neighbourhood Board", 0, NULL, 0, 0 },
        { 9, "Safeguarding Board Update", 0, NULL, 0, 0 },
        { 10, "Community Safety Partnership Plan 2023-2026", 0, NULL, 1, 0 },
        { 11, "Details of next meeting", 0, NULL, 0, 0 },
    };
    static const want_action actions[] = {
        { 3, "Daniel James", "contact Stuart Bell about access to police data", "COMPLETED" },
        { 3, "Andy Opie and Chris Lyons", "meet and create a timetable of the tasks", "COMPLETED" },
        { 3, "Amolak Tatter", "draw up a plan of how to bring an element", "COMPLETED" },
        { 3, "Chris Lyons", "share the Women's Safety Comms Campaign plan", "COMPLETED" },
        { 3, "Daniel Thompson", "inform Chris Lyons and Andy Opie of when walk and talks",
            "COMPLETED" },
        { 3, "Chris", "share the National Hate Crime Awareness Week event plan", "COMPLETED" },
        { 3, "Angela D\xe2\x80\x99Urso and Chris Lyons", "meet outside of the CSP board",
            "COMPLETED" },
    };
    /* item 4: •, then Ø under it, then "1." under that, then · back at the top */
    static const struct {
        bv_blk_kind kind;
        int level;
        const char *start;
    } item4[] = {
        { BV_BLK_BULLET, 1, "As a part of the government's" },
        { BV_BLK_BULLET, 2, "Three main ambitions" },
        { BV_BLK_NUMBERED, 3, "Breaking drug supply chains" },
        { BV_BLK_NUMBERED, 3, "Deliver a world-class" },
        { BV_BLK_NUMBERED, 3, "Reduce the demand" },
        { BV_BLK_BULLET, 1, "The implementation of" },
    };
    bv_meeting *m = parse_fixture("minutes-2022-12-07-csp.txt");
    const bv_agenda_item *it;
    size_t i, k;
    (void)state;

    assert_string_equal(m->board, "Community Safety Partnership");
    assert_string_equal(m->date_line, "Wednesday, 7 December 2022 10:00 am");
    assert_string_equal(m->date_iso, "2022-12-07");
    assert_string_equal(m->time, "10:00");
    assert_string_equal(m->venue, "Barking Learning Centre");
    assert_string_equal(m->contact, "Ilirjeta Buzoku, Community Safety Partnership Officer");
    check_items(m, items, sizeof items / sizeof items[0]);
    check_actions(m, actions, sizeof actions / sizeof actions[0]);
    check_no_noise(m);

    it = &m->items[2];
    assert_int_equal(it->blocks[0].kind, BV_BLK_PARA);
    for (k = 1; k < it->nblocks; k++)
        assert_int_equal(it->blocks[k].kind, BV_BLK_ACTION);
    assert_int_equal(it->nblocks, 8);

    it = &m->items[3];
    for (i = 0; i < sizeof item4 / sizeof item4[0]; i++) {
        assert_int_equal(it->blocks[i].kind, item4[i].kind);
        assert_int_equal(it->blocks[i].level, item4[i].level);
        assert_true(strncmp(it->blocks[i].text, item4[i].start, strlen(item4[i].start)) == 0);
    }
    assert_string_equal(it->blocks[it->nblocks - 1].text,
        "Amolak Tatter also noted the cultural competencies work will begin in January 2023. Over");
    assert_int_equal(it->blocks[it->nblocks - 1].kind, BV_BLK_PARA);

    /* the placeholder: restricted, no text at all */
    it = &m->items[4];
    assert_int_equal(it->nblocks, 0);
    assert_null(it->restricted_body);
    assert_int_equal(it->restricted_body_len, 0);
    assert_int_equal(it->schedule12a_para, 0);

    it = &m->items[5]; /* eight "•" bullets after the lead-in */
    assert_int_equal(it->nblocks, 9);
    for (k = 1; k < 9; k++) {
        assert_int_equal(it->blocks[k].kind, BV_BLK_BULLET);
        assert_int_equal(it->blocks[k].level, 1);
    }
    assert_string_equal(it->blocks[1].text, "Women's Safety Update");

    /* item 10's workshop feedback: 1. > o > - > Ø, then o again */
    it = &m->items[9];
    for (k = 0; k < it->nblocks; k++)
        if (strcmp(it->blocks[k].text, "Group 1 \xe2\x80\x93 Andy") == 0)
            break;
    assert_true(k + 7 < it->nblocks);
    assert_int_equal(it->blocks[k - 1].kind, BV_BLK_NUMBERED);
    assert_int_equal(it->blocks[k - 1].level, 1);
    assert_int_equal(it->blocks[k].level, 2);
    assert_int_equal(it->blocks[k + 1].level, 3);
    assert_true(strncmp(it->blocks[k + 1].text, "Burglary:", 9) == 0);
    assert_int_equal(it->blocks[k + 4].level, 4);
    assert_true(strncmp(it->blocks[k + 4].text, "Access to fraudulent crime", 26) == 0);
    assert_string_equal(it->blocks[k + 7].text, "Group 2 \xe2\x80\x93 Chris");
    assert_int_equal(it->blocks[k + 7].level, 2);
    assert_string_equal(it->blocks[it->nblocks - 1].text, "Disconnect between the");

    assert_ptr_equal(bv_minutes_item(m, 5), &m->items[4]);
    assert_null(bv_minutes_item(m, 12));
    check_publish(m);
    bv_meeting_free(m);
}

static void
test_unnumbered_variant(void **state)
{
    static const want_item items[] = {
        { 0, "Declarations of Interest", 5, NULL, 0, 0 },
        { 0, "Public Health Report", 15, NULL, 0, 1 },
        { 0, "Winter Pressures", 0, NULL, 0, 0 },
        { 0, "Restricted: Care home contract", 0, "Restricted", 0, 0 },
    };
    static const want_action actions[] = {
        { 2, "Jo Bloggs", "report quit rates by ward", "COMPLETED" },
    };
    size_t len, i, j, off;
    uint8_t *p = load("minutes-unnumbered.txt", &len);
    char *crlf = malloc(2 * len), *nohead;
    bv_meeting *m;
    const char *cut;
    (void)state;

    m = parse_mem(p, len);
    assert_string_equal(m->board, "Health and Wellbeing Board");
    assert_string_equal(m->date_iso, "2024-03-14");
    assert_string_equal(m->time, "14:00");
    assert_string_equal(m->venue, "Council Chamber, Civic Centre");
    check_items(m, items, 4);
    check_actions(m, actions, 1);
    check_no_noise(m);
    assert_int_equal(m->items[1].nblocks, 4);
    assert_int_equal(m->items[1].blocks[1].kind, BV_BLK_HEADING);
    assert_string_equal(m->items[1].blocks[1].text, "Smoking Cessation");
    assert_string_equal(m->items[2].blocks[0].text, "The board discussed winter pressures.");
    assert_string_equal(
        m->items[3].blocks[0].text, "This item is restricted and will not be published.");
    assert_null(m->items[3].restricted_body);
    bv_meeting_free(m);

    /* the same page with CRLF line ends */
    assert_non_null(crlf);
    for (i = j = 0; i < len; i++) {
        if (p[i] == '\n')
            crlf[j++] = '\r';
        crlf[j++] = (char)p[i];
    }
    m = parse_mem(crlf, j);
    check_items(m, items, 4);
    check_actions(m, actions, 1);
    bv_meeting_free(m);

    /* and without the "Note No. Item" table heading */
    cut = strstr((const char *)p, "Note No. Item\n");
    assert_non_null(cut);
    off = (size_t)(cut - (const char *)p);
    nohead = malloc(len);
    assert_non_null(nohead);
    memcpy(nohead, p, off);
    memcpy(nohead + off, cut + 14, len - off - 14);
    m = parse_mem(nohead, len - 14);
    check_items(m, items, 4);
    assert_string_equal(m->contact, "Alex Example, Governance Officer");
    bv_meeting_free(m);
    free(nohead);
    free(crlf);
    free(p);
}

static void
test_numbered_variant(void **state)
{
    static const want_item items[] = {
        { 1, "Apologies for Absence", 5, NULL, 0, 0 },
        { 2, "Glyphs <script>alert(\"x\")</script> & 'quotes'", 10, NULL, 0, 1 },
        { 3, "Any Other Business", 0, NULL, 0, 0 },
    };
    static const want_action actions[] = {
        { 2, "Sam Example", "circulate the report", "ONGOING" },
    };
    static const struct {
        bv_blk_kind kind;
        int level;
        const char *text;
    } blocks[] = {
        { BV_BLK_PARA, 0, "The following were noted:" },
        { BV_BLK_BULLET, 1, "Dot bullet one" }, /* • */
        { BV_BLK_BULLET, 1, "Dot bullet two" },
        { BV_BLK_BULLET, 2, "Circle bullet under the dot" }, /* o */
        { BV_BLK_BULLET, 3, "Arrow bullet under the circle" }, /* Ø */
        { BV_BLK_BULLET, 1, "Middle dot bullet, back at the top" }, /* · */
        { BV_BLK_PARA, 0, "Also noted:" },
        { BV_BLK_BULLET, 1, "Dash bullet" }, /* - */
        { BV_BLK_NUMBERED, 2, "First numbered, under the dash" },
        { BV_BLK_NUMBERED, 2, "Second numbered, under the dash" },
        { BV_BLK_ACTION, 0, "Sam Example to circulate the report (ONGOING)." },
    };
    bv_meeting *m = parse_fixture("minutes-numbered-plain.txt");
    const bv_agenda_item *it = &m->items[1];
    size_t k;
    (void)state;

    assert_string_equal(m->board, "Licensing Sub-Committee");
    assert_string_equal(m->date_iso, "2024-06-04");
    assert_string_equal(m->time, "18:30");
    check_items(m, items, 3);
    check_actions(m, actions, 1);
    assert_int_equal(it->nblocks, sizeof blocks / sizeof blocks[0]);
    for (k = 0; k < it->nblocks; k++) {
        assert_int_equal(it->blocks[k].kind, blocks[k].kind);
        assert_int_equal(it->blocks[k].level, blocks[k].level);
        assert_string_equal(it->blocks[k].text, blocks[k].text);
    }
    /* a wrapped line continues its paragraph */
    assert_int_equal(m->items[2].nblocks, 1);
    assert_string_equal(
        m->items[2].blocks[0].text, "There was no other business, which this line continues.");
    check_publish(m);
    bv_meeting_free(m);
}

static void
test_html_escaping(void **state)
{
    bv_meeting *m = parse_fixture("minutes-numbered-plain.txt");
    bv_buf html, md, txt, json;
    (void)state;

    render(m, "html", &html);
    render(m, "md", &md);
    render(m, "txt", &txt);
    render(m, "json", &json);
    assert_true(contains(&html,
        "<h2 id=\"item-2\">2. Glyphs &lt;script&gt;alert(&quot;x&quot;)"
        "&lt;/script&gt; &amp; &#39;quotes&#39;</h2>"));
    assert_false(contains(&html, "<script"));
    assert_false(contains(&html, "'quotes'"));
    /* nested lists stay nested: ul > ul > ul, then ul > ol */
    assert_true(contains(&html,
        "<li>Dot bullet two\n<ul>\n<li>Circle bullet under the dot\n<ul>\n"
        "<li>Arrow bullet under the circle</li>\n</ul>\n</li>\n</ul>\n"
        "</li>\n<li>Middle dot bullet, back at the top</li>\n</ul>\n"));
    assert_true(contains(&html,
        "<li>Dash bullet\n<ol>\n<li>First numbered, under the dash</li>\n"
        "<li>Second numbered, under the dash</li>\n</ol>\n</li>\n</ul>\n"));
    assert_true(contains(&html, "<p class=\"action\"><strong>ACTION:</strong> Sam Example"));
    assert_true(contains(&md, "## 2. Glyphs \\<script\\>alert(\"x\")\\</script\\> \\& 'quotes'\n"));
    assert_true(contains(&md, "    - Circle bullet under the dot\n"));
    assert_true(contains(&md,
        "    1. First numbered, under the dash\n"
        "    2. Second numbered, under the dash\n"));
    assert_true(contains(&txt, "2. Glyphs <script>alert(\"x\")</script> & 'quotes'\n"));
    assert_true(
        contains(&json, "\"title\":\"Glyphs <script>alert(\\\"x\\\")</script> & 'quotes'\""));
    bv_buf_free(&html);
    bv_buf_free(&md);
    bv_buf_free(&txt);
    bv_buf_free(&json);
    bv_meeting_free(m);
}

static void
test_markers(void **state)
{
    static const want_item items[] = {
        { 1, "Apologies for Absence", 0, NULL, 0, 0 },
        { 2, "Restricted item - Staffing matter", 0, "Restricted", 0, 0 },
        { 3, "Exempt: Property acquisition", 0, "Exempt", 0, 0 },
        { 4, "Contract award (Confidential)", 0, "Confidential", 0, 0 },
        { 5, "Part 2 - Legal advice", 0, "Part 2", 0, 0 },
        { 6, "PART B: Land disposal", 0, "PART B", 0, 0 },
        { 7, "Housing allocations appeal", 0, "not for publication", 0, 0 },
        { 8, "Debt write-offs", 0, "exclusion of the press and public", 0, 0 },
        { 9, "Staff restructure", 0, "Schedule 12A", 0, 0 },
        { 10, "Safeguarding case review", 0, "will not be published", 0, 0 },
        { 11, "Land sale (exempt: Schedule 12A paragraph 1)", 0, "exempt", 0, 0 },
        /* a bare word in an open title or open text is not a marker */
        { 12, "Exempt Accommodation Review", 0, NULL, 0, 0 },
        { 13, "Budget monitoring", 0, NULL, 0, 0 },
    };
    bv_meeting *m = parse_fixture("minutes-markers.txt");
    bv_buf html;
    size_t i;
    (void)state;

    check_items(m, items, sizeof items / sizeof items[0]);
    for (i = 0; i < m->nitems; i++) {
        /* each notice is public text; no item here carries a body */
        assert_null(m->items[i].restricted_body);
        assert_int_equal(m->items[i].schedule12a_para, i == 8 ? 3 : i == 10 ? 1 : 0);
    }
    assert_int_equal(m->items[3].nblocks, 0); /* placeholder */
    assert_string_equal(m->items[8].blocks[0].text,
        "Exempt under the Local Government Act 1972 Schedule 12A paragraph 3.");
    render(m, "html", &html);
    assert_true(
        contains(&html, "Restriction: Local Government Act 1972, Schedule 12A, paragraph 3.</p>"));
    assert_true(contains(
        &html, "Restriction: exempt (Local Government Act 1972, Schedule 12A, paragraph 1).</p>"));
    bv_buf_free(&html);
    check_publish(m);
    bv_meeting_free(m);
}

static void
test_restricted_body_sealed_only(void **state)
{
    static const char body2[]
        = "The panel heard that " SECRET " was the subject of the review.\n\n"
          "\xe2\x80\xa2 Bullet naming " SECRET " again\n\n"
          "ACTION: Pat Example to brief the family of " SECRET " (COMPLETED).";
    static const char body3[] = "The board agreed to buy 12 Acacia Avenue for " SECRET " pounds.";
    static const char *const formats[] = { "txt", "md", "html", "json", "table" };
    bv_meeting *m = parse_fixture("minutes-secret-body.txt");
    const bv_agenda_item *it;
    bv_buf b;
    size_t i, k;
    (void)state;

    assert_int_equal(m->nitems, 4);
    it = &m->items[1];
    assert_string_equal(it->title, "Confidential: Case review ZR");
    assert_string_equal(it->restriction, "Confidential");
    assert_int_equal(it->restricted_body_len, strlen(body2));
    assert_memory_equal(it->restricted_body, body2, strlen(body2));
    assert_int_equal(it->nblocks, 1);
    assert_string_equal(it->blocks[0].text, "This item is confidential and will not be published.");
    it = &m->items[2];
    assert_string_equal(it->restriction, "Exempt");
    assert_int_equal(it->nblocks, 0);
    assert_int_equal(it->restricted_body_len, strlen(body3));
    assert_memory_equal(it->restricted_body, body3, strlen(body3));

    /* the marker is nowhere but in the bodies */
    for (i = 0; i < m->nitems; i++) {
        it = &m->items[i];
        assert_int_equal(it->nactions, 0);
        assert_null(strstr(it->title, SECRET));
        for (k = 0; k < it->nblocks; k++)
            assert_null(strstr(it->blocks[k].text, SECRET));
    }
    for (i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        render(m, formats[i], &b);
        if (contains(&b, SECRET) || contains(&b, "Acacia") || contains(&b, "Pat Example to brief"))
            fail_msg("%s output holds restricted text", formats[i]);
        bv_buf_free(&b);
    }
    render(m, "json", &b);
    assert_int_equal(count(&b, "\"has_restricted_body\":true"), 2);
    bv_buf_free(&b);
    check_publish(m);
    bv_meeting_free(m);
}

static void
test_bad_inputs(void **state)
{
    static const char ctrl[] = "Agenda and minutes\n\nCabinet\x1b[2J\n";
    static const char cut[] = "Agenda\n\nBoard \xe2\x80\n"; /* U+2019 cut short */
    static const char nodate[] = "Agenda and minutes\n\nCabinet\n\nItems\n\n1.\n\nApologies\n";
    static const char zero[] = "Agenda and minutes\n\nCabinet\n\x00\n";
    const char *msg;
    size_t len;
    uint8_t *p;
    (void)state;

    p = load("bad-empty.txt", &len);
    assert_int_equal(parse_bad(p, len, &msg), BV_EINPUT);
    assert_non_null(strstr(msg, "empty"));
    free(p);
    assert_int_equal(parse_bad(" \n\t\n\xc2\xa0\r\n", 8, &msg), BV_EINPUT);
    assert_non_null(strstr(msg, "empty"));

    p = load("bad-binary.bin", &len);
    assert_int_equal(parse_bad(p, len, &msg), BV_EINPUT);
    assert_string_equal(msg, "binary input: NUL byte at byte offset 8");
    free(p);
    assert_int_equal(parse_bad(zero, sizeof zero - 1, &msg), BV_EINPUT);
    assert_string_equal(msg, "binary input: NUL byte at byte offset 28");

    p = load("bad-latin1.txt", &len);
    assert_int_equal(parse_bad(p, len, &msg), BV_EINPUT);
    assert_string_equal(msg, "not UTF-8 at byte offset 23");
    free(p);
    assert_int_equal(parse_bad(cut, sizeof cut - 1, &msg), BV_EINPUT);
    assert_string_equal(msg, "not UTF-8 at byte offset 14");
    assert_int_equal(parse_bad(ctrl, sizeof ctrl - 1, &msg), BV_EINPUT);
    assert_string_equal(msg, "control character 0x1b at byte offset 27");

    p = load("bad-no-items.txt", &len);
    assert_int_equal(parse_bad(p, len, &msg), BV_EINPUT);
    assert_non_null(strstr(msg, "no agenda items"));
    free(p);
    assert_int_equal(parse_bad(nodate, sizeof nodate - 1, &msg), BV_EINPUT);
    assert_non_null(strstr(msg, "no date line"));

    p = load("bad-repeated-number.txt", &len);
    assert_int_equal(parse_bad(p, len, &msg), BV_EINPUT);
    assert_string_equal(msg, "item number 2 appears twice (titles on lines 15 and 19)");
    free(p);
    bv_err_clear();
}

static void
test_misc(void **state)
{
    static const char late[] = "Minutes\n\nPlanning Committee\nThursday 29th February 2024, 7pm\n"
                               "\nItems\n\n1.\n\nApologies\n";
    static const char badday[] = "Minutes\n\nPlanning Committee\nFriday, 30 February 2024\n"
                                 "\n1.\n\nApologies\n";
    bv_meeting *m;
    bv_buf b;
    const char *msg;
    (void)state;

    m = parse_mem(late, sizeof late - 1);
    assert_string_equal(m->board, "Planning Committee");
    assert_string_equal(m->date_iso, "2024-02-29");
    assert_string_equal(m->time, "19:00");
    assert_null(m->venue);
    bv_buf_init(&b);
    bv_err_clear();
    assert_int_equal(bv_minutes_publish(m, "pdf", &b), BV_EUSAGE);
    assert_int_equal(bv_minutes_publish(m, NULL, &b), BV_EUSAGE);
    bv_err_clear();
    bv_buf_free(&b);
    bv_meeting_free(m);
    assert_int_equal(parse_bad(badday, sizeof badday - 1, &msg), BV_EINPUT);
    bv_err_clear();
    bv_meeting_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_2019),
        cmocka_unit_test(test_seed_2022),
        cmocka_unit_test(test_unnumbered_variant),
        cmocka_unit_test(test_numbered_variant),
        cmocka_unit_test(test_html_escaping),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_restricted_body_sealed_only),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_misc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
