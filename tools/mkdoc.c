/*
 * mkdoc: makes the vpcx.1 man page and fills the shell completion templates
 * from src/cli/usage.def, the table `vpcx --help` prints, so the three agree.
 *
 *   mkdoc man VERSION             the man page, on standard output
 *   mkdoc fill TEMPLATE REGIONS   TEMPLATE with its @WORDS@ replaced (see fill_word)
 *
 * Runs at build time only.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef VPCX_THEMES_INSTALL_DIR
#error "meson.build defines VPCX_THEMES_INSTALL_DIR, where the themes are installed"
#endif

enum kind { SECTION, GROUP, PARA, ITEM };

static const struct entry {
    enum kind kind;
    const char *term; /* a section's man name; a group's title; an item's term */
    const char *text;
} table[] = {
#define USAGE_SECTION(man, help) {SECTION, man, help},
#define USAGE_GROUP(title)       {GROUP, title, NULL},
#define USAGE_PARA(text)         {PARA, NULL, text},
#define USAGE_ITEM(term, text)   {ITEM, term, text},
#include "usage.def"
};

enum { NTABLE = sizeof(table) / sizeof(table[0]) };

/* roff text: backslashes and option dashes escaped, a leading . or ' made literal. */
static void roff_text(const char *s, size_t n, bool all_dashes)
{
    if (n && (s[0] == '.' || s[0] == '\''))
        fputs("\\&", stdout);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\')
            fputs("\\e", stdout);
        else if (s[i] == '-' && (all_dashes || i == 0 || s[i - 1] == ' ' || s[i - 1] == '-' ||
                                 s[i - 1] == '(' || s[i - 1] == '/'))
            fputs("\\-", stdout);
        else
            putchar(s[i]);
    }
}

static bool is_placeholder(const char *w, size_t n)
{
    if (n == 0 || w[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (isupper((unsigned char)w[i]))
            return true;
    return false;
}

/* A term: literal words bold, placeholders italic ("--profile NAME"). */
static void roff_term(const char *term, const char *section)
{
    bool all_bold = strcmp(section, "ENVIRONMENT") == 0;
    bool all_italic = strcmp(section, "FILES") == 0;
    const char *p = term;
    while (*p) {
        size_t n = strcspn(p, " ");
        size_t word = n && p[n - 1] == ',' ? n - 1 : n;
        bool italic = all_italic || (!all_bold && is_placeholder(p, word));
        fputs(italic ? "\\fI" : "\\fB", stdout);
        roff_text(p, word, true);
        fputs("\\fR", stdout);
        fwrite(p + word, 1, n - word, stdout);
        p += n;
        while (*p == ' ')
            putchar(*p++);
    }
    putchar('\n');
}

static int make_man(const char *version)
{
    printf(".\\\" Made by tools/mkdoc.c from src/cli/usage.def: edit that, not this.\n"
           ".TH VPCX 1 \"\" \"vpcx %s\" \"User Commands\"\n"
           /* Option names and paths must not be hyphenated across lines. */
           ".nh\n"
           ".ad l\n"
           ".SH NAME\n"
           "vpcx \\- explore and operate AWS VPC networking around interface VPC endpoints\n"
           ".SH SYNOPSIS\n"
           ".B vpcx\n"
           "[\\fIOPTIONS\\fR] [\\fICOMMAND\\fR]\n",
           version);
    const char *section = "";
    for (size_t i = 0; i < NTABLE; i++) {
        const struct entry *e = &table[i];
        switch (e->kind) {
        case SECTION:
            section = e->term;
            printf(".SH %s\n", e->term);
            break;
        case GROUP:
            fputs(".SS \"", stdout);
            roff_text(e->term, strlen(e->term), false);
            fputs("\"\n", stdout);
            break;
        case PARA:
            fputs(".PP\n", stdout);
            roff_text(e->text, strlen(e->text), false);
            putchar('\n');
            break;
        case ITEM:
            fputs(".TP\n", stdout);
            roff_term(e->term, section);
            roff_text(e->text, strlen(e->text), false);
            putchar('\n');
            break;
        }
    }
    return 0;
}

/* "--profile NAME" takes a value; "--pretty, --compact" does not. */
static bool term_takes_value(const char *term)
{
    const char *sp = strrchr(term, ' ');
    return sp && sp[1] != '-';
}

static bool in_section(size_t i, const char *name)
{
    for (; i > 0; i--)
        if (table[i].kind == SECTION)
            return strcmp(table[i].term, name) == 0;
    return false;
}

/* The words of a term that name options: "-o, --output FILE" gives -o and --output. */
static void print_options(bool with_value, const char *sep)
{
    for (size_t i = 0; i < NTABLE; i++) {
        if (table[i].kind != ITEM || !in_section(i, "OPTIONS"))
            continue;
        if (term_takes_value(table[i].term) != with_value)
            continue;
        for (const char *p = table[i].term; *p;) {
            size_t n = strcspn(p, " ,");
            if (*p == '-')
                printf("%.*s%s", (int)n, p, sep);
            p += n;
            p += strspn(p, " ,");
        }
    }
}

static void print_commands(void)
{
    for (size_t i = 0; i < NTABLE; i++) {
        if (table[i].kind != ITEM || !in_section(i, "COMMANDS"))
            continue;
        const char *p = table[i].term;
        size_t n = strcspn(p, " ,");
        /* A command named twice ("cache list", "cache clear") is listed once. */
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            if (table[j].kind == ITEM && in_section(j, "COMMANDS") &&
                strncmp(table[j].term, p, n) == 0 && strcspn(table[j].term, " ,") == n)
                seen = true;
        if (seen)
            continue;
        printf("%.*s ", (int)n, p);
        if (p[n] == ',') /* "help, version" */
            printf("%.*s ", (int)strcspn(p + n + 2, " ,"), p + n + 2);
    }
}

/* `cache) subs='list clear' ;;` for each command with lowercase second words. */
static void print_subcommand_cases(void)
{
    for (size_t i = 0; i < NTABLE; i++) {
        if (table[i].kind != ITEM || !in_section(i, "COMMANDS"))
            continue;
        const char *t = table[i].term;
        size_t n = strcspn(t, " ,");
        if (t[n] != ' ' || !islower((unsigned char)t[n + 1]))
            continue;
        bool first = true;
        for (size_t j = 0; j < i; j++)
            if (table[j].kind == ITEM && in_section(j, "COMMANDS") &&
                strncmp(table[j].term, t, n + 1) == 0)
                first = false;
        if (!first)
            continue;
        printf("    %.*s) subs='", (int)n, t);
        const char *sep = "";
        for (size_t j = i; j < NTABLE && table[j].kind == ITEM; j++) {
            const char *u = table[j].term;
            if (strncmp(u, t, n + 1) != 0)
                continue;
            printf("%s%.*s", sep, (int)strcspn(u + n + 1, " "), u + n + 1);
            sep = " ";
        }
        printf("' ;;\n");
    }
}

/* `--format) vals='json text' ;;` for each option whose value is one of a|b. */
static void print_choice_cases(void)
{
    for (size_t i = 0; i < NTABLE; i++) {
        if (table[i].kind != ITEM || !in_section(i, "OPTIONS"))
            continue;
        const char *t = table[i].term;
        const char *sp = strrchr(t, ' ');
        if (!sp || !strchr(sp, '|') || t[0] != '-')
            continue;
        printf("    %.*s) vals='", (int)strcspn(t, " ,"), t);
        for (const char *p = sp + 1; *p; p++)
            putchar(*p == '|' ? ' ' : *p);
        printf("' ;;\n");
    }
}

/* A zsh _describe entry: 'word:text up to the first ; or (' with : and ' escaped. */
static void print_zsh_entry(const char *word, size_t n, const char *text)
{
    fputs("    '", stdout);
    for (size_t i = 0; i < n; i++) {
        if (word[i] == ':')
            putchar('\\');
        putchar(word[i]);
    }
    putchar(':');
    size_t len = strcspn(text, ";(");
    while (len && text[len - 1] == ' ')
        len--;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\'')
            fputs("'\\''", stdout);
        else
            putchar(text[i]);
    }
    fputs("'\n", stdout);
}

static void print_zsh(const char *section)
{
    bool commands = strcmp(section, "COMMANDS") == 0;
    for (size_t i = 0; i < NTABLE; i++) {
        if (table[i].kind != ITEM || !in_section(i, section))
            continue;
        const char *t = table[i].term;
        if (commands) {
            size_t n = strcspn(t, " ,");
            bool seen = false;
            for (size_t j = 0; j < i; j++)
                if (table[j].kind == ITEM && in_section(j, section) &&
                    strncmp(table[j].term, t, n) == 0 && strcspn(table[j].term, " ,") == n)
                    seen = true;
            if (!seen)
                print_zsh_entry(t, n, table[i].text);
            if (t[n] == ',')
                print_zsh_entry(t + n + 2, strcspn(t + n + 2, " ,"), table[i].text);
            continue;
        }
        for (const char *p = t; *p;) {
            size_t n = strcspn(p, " ,");
            if (*p == '-')
                print_zsh_entry(p, n, table[i].text);
            p += n;
            p += strspn(p, " ,");
        }
    }
}

static int print_regions(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    char line[128];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (*line)
            printf("%s ", line);
    }
    fclose(f);
    return 0;
}

/* Writes what @WORD@ (n bytes, the @s excluded) stands for; -1 when unknown. */
static int fill_word(const char *w, size_t n, const char *regions)
{
#define IS(s) (n == strlen(s) && strncmp(w, s, n) == 0)
    if (IS("COMMANDS"))
        print_commands();
    else if (IS("OPTIONS"))
        print_options(false, " ");
    else if (IS("VALUE_OPTIONS"))
        print_options(true, " ");
    else if (IS("SUBCOMMAND_CASES"))
        print_subcommand_cases();
    else if (IS("CHOICE_CASES"))
        print_choice_cases();
    else if (IS("ZSH_COMMANDS"))
        print_zsh("COMMANDS");
    else if (IS("ZSH_OPTIONS"))
        print_zsh("OPTIONS");
    else if (IS("REGIONS"))
        return print_regions(regions);
    else if (IS("THEMES_DIR"))
        fputs(VPCX_THEMES_INSTALL_DIR, stdout);
    else
        return -1;
    return 0;
#undef IS
}

static int fill(const char *template, const char *regions)
{
    FILE *f = fopen(template, "r");
    if (!f) {
        perror(template);
        return 1;
    }
    char line[1024];
    int status = 0;
    while (fgets(line, sizeof(line), f)) {
        for (const char *p = line; *p;) {
            const char *at = strchr(p, '@');
            const char *end = at ? strchr(at + 1, '@') : NULL;
            if (!end) {
                fputs(p, stdout);
                break;
            }
            fwrite(p, 1, at - p, stdout);
            if (fill_word(at + 1, end - at - 1, regions) != 0) {
                fprintf(stderr, "mkdoc: %s: unknown @%.*s@\n", template, (int)(end - at - 1),
                        at + 1);
                status = 1;
            }
            p = end + 1;
        }
    }
    fclose(f);
    return status;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "man") == 0)
        return make_man(argv[2]);
    if (argc == 4 && strcmp(argv[1], "fill") == 0)
        return fill(argv[2], argv[3]);
    fputs("usage: mkdoc man VERSION | mkdoc fill TEMPLATE REGIONS\n", stderr);
    return 2;
}
