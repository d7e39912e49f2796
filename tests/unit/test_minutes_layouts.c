/*
 * test_minutes_layouts.c - the minutes parser on the layouts councils
 * publish: item numbers as printed, unnumbered headings, dates as written,
 * exclusion motions and the business they exclude, the traps that only
 * look restricted, text that lost its line breaks, --date and warnings.
 */
#include "bvtest.h"
#include "bv_minutes.h"

static bv_meeting *
parse_opts(const char *text, const bv_minutes_opts *o)
{
    bv_meeting *m = NULL;
    bv_status st;

    bv_err_clear();
    st = bv_minutes_parse_opts((const uint8_t *)text, strlen(text), o, &m);
    if (st != BV_OK)
        fail_msg("parse failed (%d): %s", st, bv_errmsg());
    return m;
}

static bv_meeting *
parse(const char *text)
{
    return parse_opts(text, NULL);
}

/* titles[i] of every item, in order, and nothing else */
static void
check_titles(const bv_meeting *m, const char *const *titles, size_t n)
{
    size_t i;

    if (m->nitems != n)
        fail_msg("%zu items, want %zu (first: \"%s\")", m->nitems, n,
            m->nitems ? m->items[0].title : "");
    for (i = 0; i < n; i++)
        assert_string_equal(m->items[i].title, titles[i]);
}

static int
has_warning(const bv_meeting *m, const char *part)
{
    size_t i;

    for (i = 0; i < m->nwarnings; i++)
        if (strstr(m->warnings[i], part) != NULL)
            return 1;
    return 0;
}

static void
test_numbers_as_printed(void **state)
{
    static const struct {
        const char *text;
        const char *labels[3];
        int numbers[3];
    } cases[] = {
        { "Cabinet - Tuesday, 26 January 2016 2.00 pm\n\nItems\nNo. Item\n\n1/16\n\nApologies\n\n"
          "Minutes:\n\nNone.\n\n2/16\n\nMinutes pdf icon PDF 139 KB\n\nApproved.\n\n3/16\n\n"
          "Questions\n\nNone.\n",
            { "1/16", "2/16", "3/16" }, { 1, 2, 3 } },
        { "Advisory Board - Tuesday, 1st April, 2014 7.30 pm\n\nItems\nNo. Item\n\nPART 1 - "
          "PUBLIC\n\n"
          "CSF 14/1\n\nApologies\n\nNone.\n\nCSF 14/2\n\nMinutes\n\nAgreed.\n\nMatters for "
          "Recommendation to the Cabinet\n\nCSF 14/3\n\nQuestions\n\nNone.\n",
            { "CSF 14/1", "CSF 14/2", "CSF 14/3" }, { 1, 2, 3 } },
        { "Governing Body\nHeld on 7 th April 2022 via Microsoft Teams\nPresent:\nDr A (AB) Chair\n"
          "GBP/2223/001: Apologies\nNoted.\nGBP/2223/002: Minutes\nAgreed.\nGBP/2223/003: "
          "Questions\nNone received.\n",
            { "GBP/2223/001", "GBP/2223/002", "GBP/2223/003" }, { 1, 2, 3 } },
        { "APPOINTMENT PANEL\n\n\nMINUTES of a meeting held on 27th July, 2011.\n\n\n"
          "(a)       Apologies -\n\nNone.\n\n(b)       Procedure -\n\nOutlined.\n\n"
          "(c)       Interview -\n\nHeld.\n",
            { "(a)", "(b)", "(c)" }, { 1, 2, 3 } },
        { "Board meeting\n\n    thDate: 25 July 2007\n\n    Points of discussion\n\n"
          "    1) Introductions\n\n    ; Noted.\n\n    2) Strategy\n\n    - Discussed.\n\n"
          "    3) Any other business\n\n    None.\n",
            { "1)", "2)", "3)" }, { 1, 2, 3 } },
        { "Town Council Monthly Meeting Wednesday 15 th January 2014\n\n133. Opening Prayer\n\n"
          "Given.\n\n134. Personal Matters\n\nNone.\n\n135. Police Business\n\n"
          "P95 (120) Matters Arising \xe2\x80\x93 Hall\n\n110 confirmed that she was waiting.\n",
            { "133", "134", "135" }, { 133, 134, 135 } },
        { "Panel\nDate: 01/07/2021\n\nItem 1 Apologies\n\nNone.\n\nItem 2 Minutes\n\nAgreed.\n\n"
          "Item 3 Any other business\n\nNone.\n",
            { "Item 1", "Item 2", "Item 3" }, { 1, 2, 3 } },
        { "Minutes\n\nCabinet\nMonday 5 March 2024\n\nAGENDA ITEM 5 - BUDGET\n\nAgreed.\n\n"
          "AGENDA ITEM 6: LAND\n\nAgreed.\n\nAGENDA ITEM 7 \xe2\x80\x93 Licence\n\nDone.\n",
            { "AGENDA ITEM 5", "AGENDA ITEM 6", "AGENDA ITEM 7" }, { 5, 6, 7 } },
        { "Minutes of the Licensing Committee, 5 March 2024\n\nMinute No. | Subject\n---|---\n"
          "45/23 | Apologies\nNone received.\n46/23 | Declarations\nNone.\n47/23 | Policy\n"
          "Agreed.\n",
            { "45/23", "46/23", "47/23" }, { 45, 46, 47 } },
    };
    size_t c, i;
    (void)state;

    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        bv_meeting *m = parse(cases[c].text);
        if (m->nitems != 3)
            fail_msg("case %zu: %zu items", c, m->nitems);
        for (i = 0; i < 3; i++) {
            assert_non_null(m->items[i].label);
            assert_string_equal(m->items[i].label, cases[c].labels[i]);
            assert_int_equal(m->items[i].number, cases[c].numbers[i]);
            assert_int_equal(m->items[i].restricted, 0);
        }
        bv_meeting_free(m);
    }
}

/* Numbered paragraphs, lists, option lists and quoted old minute numbers are not items. */
static void
test_not_items(void **state)
{
    static const char paragraphs[]
        = "NHS Chairs minutes: October 2017\n\nMinutes of the meeting of the NHS Chairs on 30 "
          "October 2017.\n\nItems and actions\n\n\n1. A list of those present is provided "
          "above.\n\n"
          "Minutes of the previous meeting\n\n2. The minutes of the meeting held on 28 August 2017 "
          "were approved.\n\nMatters arising\n\n3. There were no matters arising.\n\n"
          "Feedback from Chairs' private meeting\n\n4. Denise Coia shared the key themes, "
          "including:\n\n5. Chairs highlighted the importance of innovation.\n\n"
          "Date and time of next meeting\n\n6. The next meeting";
    static const char *const ptitles[] = { "Minutes of the previous meeting", "Matters arising",
        "Feedback from Chairs' private meeting", "Date and time of next meeting" };
    static const char lists[]
        = "Agenda and minutes\n\nHealth and Wellbeing Board\nThursday, 18th April, 2019 10.00 "
          "am\n\n"
          "Items\nNo. Item\n\n1.\n\nApologies for Absence\n\nMinutes:\n\nNone.\n\n2.\n\n"
          "Disclosures of Interest\n\nMembers are invited to disclose:\n\n1          Details of "
          "any "
          "employment, office, trade or vocation carried on for profit or gain.\n\n2          "
          "Details of any contract which is made between you and the authority\n\n"
          "            (a)       Under which goods or services are to be provided; and\n\n"
          "            (b)       Which has not been fully discharged.\n\n3.\n\n"
          "Minutes of Previous Meeting pdf icon PDF 43 KB\n\nMinutes:\n\nAgreed.\n\n"
          "106. Domestic Abuse Performance Update\n\nThe action was completed.\n\n"
          "1.1. A numbered paragraph.\n\n15.1 Another one.\n";
    static const char *const ltitles[]
        = { "Apologies for Absence", "Disclosures of Interest", "Minutes of Previous Meeting" };
    bv_meeting *m;
    (void)state;

    m = parse(paragraphs);
    check_titles(m, ptitles, 4);
    assert_int_equal(m->items[0].number, 0);
    assert_int_equal(m->items[2].restricted, 0); /* "private meeting" is no marker */
    bv_meeting_free(m);

    m = parse(lists);
    check_titles(m, ltitles, 3);
    assert_int_equal(m->items[2].number, 3);
    bv_meeting_free(m);
}

static void
test_unnumbered_headings(void **state)
{
    static const char text[]
        = "Agenda and minutes\n\nGeneral Licensing Sub-Committee Panel - Wednesday, 31st January, "
          "2018 3.00 pm\n\nVenue: Wheel Room\n\nNo. Item\n\n\nApologies for "
          "absence\n\n\nNone.\n\n\n"
          "Exclusion of the Press and Public\n\nTo consider the exclusion of the press and public "
          "for "
          "the following item.\n\n\nRESOLVED (Unanimously):\n\n\nThat the press and public be "
          "excluded under paragraph 1 of Part 1 of Schedule 12A.\n\n\n\nAllegation made against a "
          "licensed driver\n\nReport attached.\n\n\nThe licence was revoked.\n";
    static const char *const titles[] = { "Apologies for absence",
        "Exclusion of the Press and Public", "Allegation made against a licensed driver" };
    bv_meeting *m = parse(text);
    (void)state;

    check_titles(m, titles, 3);
    assert_string_equal(m->board, "General Licensing Sub-Committee Panel");
    assert_string_equal(m->date_iso, "2018-01-31");
    assert_string_equal(m->time, "15:00");
    /* the motion is public, the business it excludes is not */
    assert_int_equal(m->items[1].exclusion_motion, 1);
    assert_int_equal(m->items[1].restricted, 0);
    assert_true(m->items[1].nblocks > 0);
    assert_int_equal(m->items[2].restricted, 1);
    assert_string_equal(m->items[2].restriction, "press and public excluded");
    assert_int_equal(m->items[2].schedule12a_para, 1);
    assert_non_null(m->items[2].restricted_body);
    assert_true(has_warning(m, "is taken as restricted: it comes after item 2"));
    bv_meeting_free(m);
}

static void
test_dates_as_written(void **state)
{
    static const struct {
        const char *line;
        const char *iso;
        const char *time;
    } cases[] = {
        { "Cabinet - Tuesday, 23rd April, 2024", "2024-04-23", NULL },
        { "Town Council Meeting Wednesday 15 th January 2014", "2014-01-15", NULL },
        { "Date: 01/07/2021", "2021-07-01", NULL },
        { "2 Feb 2026 - 14:00 to 17:00", "2026-02-02", "14:00" },
        { "Wednesday 7 December 2022 at 10.00 am", "2022-12-07", "10:00" },
        { "MINUTES of a meeting held on 27th July, 2011.", "2011-07-27", NULL },
        { "Meeting: 12/09/2018 - Capital Programme Committee (Item 2)", "2018-09-12", NULL },
        { "Licensing Committee - Thursday, 29th June 2023 1.00 p.m.", "2023-06-29", "13:00" },
    };
    char buf[512];
    size_t c;
    bv_meeting *m;
    (void)state;

    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        snprintf(
            buf, sizeof buf, "Minutes\n\n%s\n\n1.\n\nApologies\n\n2.\n\nClose\n", cases[c].line);
        m = parse(buf);
        assert_string_equal(m->date_iso, cases[c].iso);
        if (cases[c].time)
            assert_string_equal(m->time, cases[c].time);
        else
            assert_null(m->time);
        assert_int_equal(m->date_source, BV_DATE_PRINTED);
        bv_meeting_free(m);
    }
    /* print, upload and next-meeting dates are not the meeting's */
    m = parse(
        "Notes\nBy Officer,2014-06-23 08:07\nPrinted: 23/06/2011 Page 1\nDate of next meeting: "
        "5 May 2020\nMinutes of the meeting held on 3 March 2020\n\n1) Welcome\n\nDone.\n\n"
        "2) Close\n\nDone.\n");
    assert_string_equal(m->date_iso, "2020-03-03");
    bv_meeting_free(m);
}

static void
test_date_inferred_given_missing(void **state)
{
    static const char inferred[]
        = "Agenda and draft minutes\n\nContact: Officer\n\n\nNo. Item\n\n\nWelcome\n\n\nDone.\n\n\n"
          "Public Participation\n\nNotify no later than 9.00am on the working day before the "
          "meeting (in this case Friday 12 June 2020).\n\n\nClose\n\n\nDone.\n";
    static const char none[] = "Agenda and minutes\n\nCabinet\n\nItems\n\n1.\n\nApologies\n";
    bv_minutes_opts o;
    bv_meeting *m = NULL;
    (void)state;

    m = parse(inferred);
    assert_string_equal(m->date_iso, "2020-06-15"); /* the Monday after */
    assert_int_equal(m->date_source, BV_DATE_INFERRED);
    assert_true(has_warning(m, "worked out from line"));
    bv_meeting_free(m);

    bv_err_clear();
    assert_int_equal(bv_minutes_parse((const uint8_t *)none, strlen(none), &m), BV_EINPUT);
    assert_non_null(strstr(bv_errmsg(), "--date YYYY-MM-DD"));
    memset(&o, 0, sizeof o);
    o.date_iso = "2025-02-03";
    m = parse_opts(none, &o);
    assert_string_equal(m->date_iso, "2025-02-03");
    assert_int_equal(m->date_source, BV_DATE_GIVEN);
    bv_meeting_free(m);
    o.date_iso = "2025-02-29";
    bv_err_clear();
    assert_int_equal(bv_minutes_parse_opts((const uint8_t *)none, strlen(none), &o, &m), BV_EUSAGE);
    assert_null(m);
    bv_err_clear();
    assert_true(bv_minutes_date_ok("2024-02-29"));
    assert_false(bv_minutes_date_ok("2023-02-29"));
    assert_false(bv_minutes_date_ok("2023-2-28"));
}

/* Every form of restricted business, each after an open item. */
static void
test_restricted_forms(void **state)
{
    static const struct {
        const char *title;
        const char *text;
        int motion; /* the item is the motion: open, and the next item restricted */
    } cases[] = {
        { "Exclusion of the Press and Public",
            "RESOLVED: that under Section 100A(4) the press and public be excluded for the "
            "following item, paragraph 3 of Part 1 of Schedule 12A.",
            1 },
        { "Exclusion of Press and Public -",
            "AGREED - T H A T the press and public be excluded as defined in Part 4 of Schedule "
            "12A (as amended) of the Act.",
            1 },
        { "Determination of Exempt Business",
            "in terms of Section 50(A)(4) of the Local Government (Scotland) Act 1973, to exclude "
            "the press and public.",
            1 },
        { "Exempt Items", "RESOLVED: That Item 7 be taken in private.", 1 },
        { "Licensing Hearing", "This item was minuted under Part II Exempt Minute.", 0 },
        { "Staffing", "This item was taken in private.", 0 },
        { "Contract award (Confidential)", "Agreed.", 0 },
        { "Land disposal", "This report is not for publication.", 0 },
        { "Case review", "Exempt under section 50A(4) of the Local Government (Scotland) Act 1973.",
            0 },
    };
    char buf[1024];
    size_t c;
    bv_meeting *m;
    (void)state;

    for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        snprintf(buf, sizeof buf,
            "Minutes\n\nCabinet\nMonday, 3 February 2025 7:00 pm\n\n1.\n\nApologies\n\nNone.\n\n"
            "2.\n\n%s\n\n%s\n\n3.\n\nThe business\n\nThe secret details.\n",
            cases[c].title, cases[c].text);
        m = parse(buf);
        assert_int_equal(m->nitems, 3);
        assert_int_equal(m->items[0].restricted, 0);
        if (cases[c].motion) {
            assert_int_equal(m->items[1].exclusion_motion, 1);
            assert_int_equal(m->items[1].restricted, 0);
            assert_int_equal(m->items[2].restricted, 1);
            assert_non_null(m->items[2].restricted_body);
        } else {
            if (!m->items[1].restricted)
                fail_msg("case %zu (%s) not restricted", c, cases[c].title);
            assert_int_equal(m->items[2].restricted, 0);
        }
        bv_meeting_free(m);
    }
}

/* Words that look restricted and are not; a motion that lost; public business resumed. */
static void
test_traps(void **state)
{
    static const char text[]
        = "Minutes\n\nPanel\nThursday, 29 November 2012\n\nUNRESTRICTED ITEMS\n\n1.\n\n"
          "PART 1 - PUBLIC\n\nNone.\n\n2.\n\nNotice of recording\n\nMembers of the public may "
          "record "
          "except where there are confidential or exempt items.\n\n3.\n\nRestricted parking "
          "zones\n\nA less restrictive scheme was agreed. In accordance with Part B Section 2 of "
          "the Code of Conduct, interests were declared.\n\n4.\n\nFeedback from Chairs' private "
          "meeting\n\nNoted.\n\n5.\n\nExclusion of the Press and Public\n\nRESOLVED: that the "
          "press and public not be excluded.\n\n6.\n\nBudget\n\nAgreed.\n";
    bv_meeting *m = parse(text);
    size_t i;
    (void)state;

    assert_int_equal(m->nitems, 6);
    for (i = 0; i < m->nitems; i++)
        if (m->items[i].restricted)
            fail_msg(
                "item %zu \"%s\" flagged (%s)", i + 1, m->items[i].title, m->items[i].restriction);
    assert_int_equal(m->items[4].exclusion_motion, 1);
    bv_meeting_free(m);

    m = parse(
        "Minutes\n\nPanel\nThursday, 29 November 2012\n\n1.\n\nExclusion of the Public\n\n"
        "RESOLVED: the public be excluded for the following item.\n\n2.\n\nCase\n\nDetails.\n\n"
        "The press and public were readmitted.\n\n3.\n\nAny other business\n\nNone.\n");
    assert_int_equal(m->items[1].restricted, 1);
    assert_int_equal(m->items[2].restricted, 0);
    bv_meeting_free(m);
}

static void
test_noise_and_flattened(void **state)
{
    static const char printed[]
        = "Minutes Template\n\nBOROUGH COUNCIL\n\nLicensing Sub Committee\n\nMINUTES OF THE "
          "MEETING "
          "HELD ON Wednesday 6 September 2023\n\n<AI1>\n\n21.        Apologies for Absence\n\n"
          "Apologies were received.\n\n</AI1>\n\n<AI2>\n\n22.        Disclosures\n\nNone.\n\n"
          "Page 3 of 12\n\n</AI2>\n";
    static const char *const ptitles[] = { "Apologies for Absence", "Disclosures" };
    char flat[4096], *p;
    bv_meeting *m;
    size_t i;
    (void)state;

    m = parse(printed);
    check_titles(m, ptitles, 2);
    for (i = 0; i < m->items[1].nblocks; i++) {
        assert_null(strstr(m->items[1].blocks[i].text, "AI2"));
        assert_null(strstr(m->items[1].blocks[i].text, "Page 3"));
    }
    bv_meeting_free(m);

    /* a PDF's text run into one paragraph */
    snprintf(flat, sizeof flat, "%s",
        "STIRLING PARTNERSHIP Community Safety Partnership Monday 30 May 2011 at 2.00 pm Wallace "
        "Room NOTE OF MEETING Present Peter Walker, Co-ordinator (in the Chair) Anne Allan, "
        "Service Manager, Anti-Social Behaviour Resolution Team Barbara Allan, Community Services "
        "Elaine Brown, Substance Misuse Officer Alan Faulds, Fire and Rescue Des Friel, Head of "
        "Economy Lesley Gallagher, Partnership Manager Hugh Hamilton, Trading Standards Andy "
        "Kennedy, City Centre Manager Bill Mason, University Anne Meikle, Violence Against Women "
        "Heather MacPherson, Youth Services Anne Salter, Council Anton Stephenson, Police Sharon "
        "McGrouther, Corporate Services (Clerk) Also in Attendance Donald Balsillie, Council "
        "Maxine Fraser, Retailers Against Crime Fiona Wilborough, Council Apologies Alan Douglas, "
        "Police Terry Barlow, License Forum Katy Proctor, Ethnic Minority Groups Cathy Steel, "
        "Rape Crisis Wendy Stephen, Victim Support Janice Hewitt, Assistant Chief Executive "
        "Claire Bernard, Victim Support Leslie Fisher, Environmental Health Paul Mooney, ASC "
        "CSP319 WELCOME The Chair welcomed everyone to the meeting and apologies were noted. He "
        "asked everyone present to introduce themselves and thanked them for coming today. "
        "CSP320 MINUTES \xe2\x80\x93 18 APRIL 2011 The Group approved the Minutes of Meeting held "
        "on 18 April 2011 as a correct record of proceedings after a short discussion of them. "
        "CSP321 MATTERS ARISING CSP318(1) \xe2\x80\x93 Vandalism. It was noted that the details "
        "regarding the costs for repairs for the lift had been sent to the Council officers.");
    m = parse(flat);
    assert_int_equal(m->nitems, 3);
    assert_string_equal(m->items[0].title, "WELCOME");
    assert_string_equal(m->items[1].title, "MINUTES \xe2\x80\x93 18 APRIL 2011");
    assert_string_equal(m->items[2].title, "MATTERS ARISING");
    assert_string_equal(m->items[2].label, "CSP321");
    assert_string_equal(m->date_iso, "2011-05-30");
    assert_true(has_warning(m, "lost its line breaks"));
    bv_meeting_free(m);

    /* a page number run into a sentence that goes on over the page */
    m = parse("Town Council Wednesday 15 th January 2014\n\n137. Police\n\nNone.\n\n138. Hall\n\n"
              "The Clerk had spoken to this person, who had\n\n110 confirmed that she was waiting."
              "\n\n12 members then left.\n");
    assert_int_equal(m->items[1].nblocks, 2);
    assert_string_equal(m->items[1].blocks[0].text,
        "The Clerk had spoken to this person, who had confirmed that she was waiting.");
    assert_string_equal(m->items[1].blocks[1].text, "12 members then left.");
    bv_meeting_free(m);

    /* the same without its item numbers: the header up to the date, then one item */
    for (p = flat; (p = strstr(p, "CSP32")) != NULL;)
        memset(p, ' ', 6);
    m = parse(flat);
    assert_int_equal(m->nitems, 1);
    assert_string_equal(m->date_iso, "2011-05-30");
    assert_string_equal(m->time, "14:00");
    assert_string_equal(m->items[0].title,
        "Wallace Room NOTE OF MEETING Present Peter Walker, Co-ordinator (in the Chair)");
    assert_true(has_warning(m, "read as one item"));
    bv_meeting_free(m);
}

static void
test_board_warning(void **state)
{
    static const char text[] = "Agenda and minutes\n\nLicensing Sub-Committee A - Tuesday, 26th "
                               "March, 2024 11.30 am\n\nItems\n\n1.\n\nApologies\n";
    static const char csp[] = "Agenda and minutes\n\nCommunity Safety Partnership\nWednesday, 7 "
                              "December 2022 10:00 am\n\nItems\n\n1.\n\nApologies\n";
    bv_minutes_opts o;
    bv_meeting *m;
    (void)state;

    memset(&o, 0, sizeof o);
    o.board = "Community Safety Partnership";
    m = parse_opts(text, &o);
    assert_true(has_warning(m,
        "does not name board \"Community Safety Partnership\" (they name "
        "\"Licensing Sub-Committee A\")"));
    bv_meeting_free(m);
    o.board = "Licensing Sub-Committee A";
    m = parse_opts(text, &o);
    assert_false(has_warning(m, "does not name board"));
    bv_meeting_free(m);
    o.board = "CSP"; /* initials either way round */
    m = parse_opts(csp, &o);
    assert_false(has_warning(m, "does not name board"));
    bv_meeting_free(m);
}

static void
test_more_layouts(void **state)
{
    static const char sections[]
        = "MINUTES of the meeting of the Cabinet held on the 7th of December 2022 at 7.00 pm\n\n"
          "45. APOLOGIES FOR ABSENCE\n\nNone.\n\n46. URGENT BUSINESS\n\nThere was no exempt "
          "information to consider.\n\nPART II - EXEMPT ITEMS\n\n47. STAFFING MATTER\n\n"
          "The Cabinet agreed the restructure.\n";
    static const char caps[]
        = "Governing Body Meeting in Public\nThursday 7 April 2022\n\nAPOLOGIES FOR ABSENCE\n\n"
          "Apologies were received from the Chair.\n\nRESOLVED\n\nThat the apologies be "
          "noted.\n\nMINUTES OF THE PREVIOUS MEETING\n\nThe minutes were agreed.\n\n"
          "Finance Report\n\nThe report was noted.\n";
    static const char *const ctitles[]
        = { "APOLOGIES FOR ABSENCE", "MINUTES OF THE PREVIOUS MEETING", "Finance Report" };
    bv_meeting *m;
    (void)state;

    m = parse(sections);
    assert_string_equal(m->date_iso, "2022-12-07");
    assert_int_equal(m->nitems, 3);
    assert_int_equal(m->items[0].restricted, 0);
    assert_int_equal(m->items[1].restricted, 0); /* "no exempt information" */
    assert_int_equal(m->items[2].restricted, 1); /* after "PART II - EXEMPT ITEMS" */
    bv_meeting_free(m);

    m = parse(caps);
    check_titles(m, ctitles, 3);
    bv_meeting_free(m);

    /* a motion in an item's text: the item stays open, the next is restricted */
    m = parse("Minutes\n\nCabinet\nDate: 14.03.2023\n\n10.\n\nLand at X\n\nMinutes:\n\nNoted. "
              "RESOLVED: That the press and public be excluded from the meeting for the following "
              "item under paragraph 3 of Schedule 12A.\n\n11.\n\nLand disposal\n\nPrice agreed.\n");
    assert_string_equal(m->date_iso, "2023-03-14");
    assert_int_equal(m->items[0].restricted, 0);
    assert_int_equal(m->items[0].exclusion_motion, 1);
    assert_int_equal(m->items[1].restricted, 1);
    assert_int_equal(m->items[1].schedule12a_para, 3);
    bv_meeting_free(m);

    /* figures: ISO, but not a system's time stamp */
    m = parse("Notes\nBy A Clerk,2014-06-23 08:07\nMeeting 2014-06-20\n\n1) Welcome\n\nDone."
              "\n\n2) Close\n\nDone.\n");
    assert_string_equal(m->date_iso, "2014-06-20");
    bv_meeting_free(m);
}

/* A warning quotes a title cut at 80 bytes: never inside a character. */
static void
test_warnings_whole_utf8(void **state)
{
    char buf[1024];
    bv_meeting *m;
    size_t i;
    (void)state;

    snprintf(buf, sizeof buf,
        "Minutes\n\nCabinet\nMonday, 3 February 2025\n\n1.\n\nExempt: %s\xc3\xa9\xc3\xa9 "
        "review\n\nText.\n",
        "An item whose title is long enough to be cut by the warning quoting it.");
    m = parse(buf);
    assert_int_equal(m->items[0].restricted, 1);
    assert_true(m->nwarnings > 0);
    for (i = 0; i < m->nwarnings; i++)
        assert_true(bv_utf8_ok(m->warnings[i], strlen(m->warnings[i]), NULL));
    bv_meeting_free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_as_printed),
        cmocka_unit_test(test_not_items),
        cmocka_unit_test(test_unnumbered_headings),
        cmocka_unit_test(test_dates_as_written),
        cmocka_unit_test(test_date_inferred_given_missing),
        cmocka_unit_test(test_restricted_forms),
        cmocka_unit_test(test_traps),
        cmocka_unit_test(test_noise_and_flattened),
        cmocka_unit_test(test_board_warning),
        cmocka_unit_test(test_more_layouts),
        cmocka_unit_test(test_warnings_whole_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
